import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export type EmailSendingProps = {
  /** Sender address of notifications (`leads@example.com`). */
  readonly from: string;
  /**
   * The SES identity to create: a domain (verified by DKIM DNS records) or an address (verified by
   * a link SES mails to it).
   * @default - the `from` address itself
   */
  readonly identity?: string;
};

/** The SES identity notifications are sent from. Verification (DNS or the mailed link) is a manual step. */
export class EmailSending extends Construct {
  public readonly identity: EmailIdentity;
  public readonly from: string;
  /** The identity's name as SES ARNs use it (`example.com` or `leads@example.com`). */
  public readonly identityName: string;

  constructor(scope: Construct, id: string, props: EmailSendingProps) {
    super(scope, id);
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.from))
      throw new Error(`emailFrom must be an email address, received "${props.from}"`);
    this.from = props.from;
    this.identityName = props.identity ?? props.from;
    const domain = this.from.split('@')[1] ?? '';
    if (props.identity && !props.identity.includes('@') && props.identity !== domain) {
      throw new Error(`emailFrom ${props.from} is not in the SES identity domain ${props.identity}`);
    }
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: this.identityName.includes('@')
        ? Identity.email(this.identityName)
        : Identity.domain(this.identityName),
    });
  }
}
