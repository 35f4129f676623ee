// Quiet, readable test output: no JSON log lines unless asked for.
process.env.POWERTOOLS_LOG_LEVEL = process.env.LOGMON_TEST_LOG_LEVEL || 'SILENT';
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
process.env.NODE_NO_WARNINGS = '1';
