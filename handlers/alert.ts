import { wrapJob } from '../lib/lambda';

export const handler = wrapJob('alert', async () => ({ placeholder: true }));
