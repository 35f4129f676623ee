import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadAssets } from '../lib/dashboard/assets';
import { readDashboardConfig } from '../lib/dashboard/config';
import { handleDashboardRequest } from '../lib/dashboard/dashboard';
import { requestOf } from '../lib/dashboard/http';
import type { DashboardResponse } from '../lib/dashboard/http';
import { createPoolCache } from '../lib/platform/db';
import { wrapJob } from '../lib/platform/lambda';
import { logger } from '../lib/platform/logger';

// The web dashboard (docs/dashboard.md): a Lambda function URL with IAM
// authentication in AWS (only with --param dashboard=on), serverless
// offline's HTTP server on 127.0.0.1 locally. Built once per container: bad
// settings or a missing uPlot fail the cold start.
const config = readDashboardConfig(process.env);
const assets = loadAssets();
const pools = createPoolCache(2);

export const handler = wrapJob<APIGatewayProxyEventV2, DashboardResponse>('dashboard', async (event, run) =>
  handleDashboardRequest(requestOf(event), { pool: pools.poolFor(run.databaseUrl()), config, assets, logger }),
);
