/** Consumer mailbox providers: an address here says nothing about the person's company. */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'ymail.com', 'hotmail.com',
  'hotmail.co.uk', 'hotmail.fr', 'hotmail.de', 'outlook.com', 'outlook.de', 'live.com', 'live.fr', 'msn.com',
  'aol.com', 'icloud.com', 'me.com', 'mac.com', 'proton.me', 'protonmail.com', 'pm.me', 'gmx.de', 'gmx.net',
  'gmx.com', 'web.de', 't-online.de', 'mail.com', 'mail.ru', 'yandex.ru', 'yandex.com', 'zoho.com', 'qq.com',
  '163.com', '126.com', 'naver.com', 'orange.fr', 'free.fr', 'laposte.net', 'libero.it', 'virgilio.it',
  'fastmail.com', 'hey.com', 'tutanota.com', 'seznam.cz', 'wp.pl', 'o2.pl', 'interia.pl', 'rediffmail.com',
]);
