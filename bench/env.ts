// Imported first by bench/run.ts: the functions' logger reads LOG_LEVEL when its module loads, and the
// bench loads function modules before the local runtime sets the environment. Same level as `npm start`.
process.env.LOG_LEVEL ??= 'WARN';
// The X-Ray SDK (loaded through Powertools' tracer by bench/webhook.ts and others) picks its mode when its
// module loads: in automatic mode it puts cls-hooked's async hook, with a destroy callback, on every promise
// of this process, which also runs the local runtime. `npm start` sets manual mode before any function
// loads (local/function-environment.ts); without the same here the bench measured a runtime `npm start`
// does not run (≈ 10 % of this process's CPU went to the hook in a profile of captureVsRaw + importRouting).
process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
