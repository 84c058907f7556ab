// Imported first by bench/run.ts: the functions' logger reads LOG_LEVEL when its module loads, and the
// bench loads function modules before the local runtime sets the environment. Same level as `npm start`.
process.env.LOG_LEVEL ??= 'WARN';
