// Quiet, readable test output: no JSON log lines unless asked for.
process.env.POWERTOOLS_LOG_LEVEL = process.env.LOGMON_TEST_LOG_LEVEL || 'SILENT';
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.NODE_NO_WARNINGS = '1';
// The SNS client only ever talks to the local test endpoint: fake credentials,
// never a profile or a real key from the environment.
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
process.env.AWS_REGION = 'us-east-1';
// No CloudWatch metric lines either (LOGMON_METRICS): tests that check them turn them on.
process.env.LOGMON_METRICS = '0';
