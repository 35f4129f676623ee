import type { SNSClient } from '@aws-sdk/client-sns';
import { ConfigError } from '../platform/errors';
import type { ChannelConfig } from './channel-config';
import { httpChannel } from './http-channel';
import type { Fetch } from './http-channel';
import type { NotificationChannel } from './notification-channel';
import { snsChannel } from './sns-channel';
import { smtpChannel } from './smtp-channel';
import type { SmtpTransport } from './smtp-channel';

export interface ChannelDeps {
  /** The SNS client and topic (an sns channel needs them). */
  sns?: Pick<SNSClient, 'send'>;
  topicArn?: string;
  fetch?: Fetch;
  /** An SMTP transport per channel (tests); nodemailer's by default. */
  smtpTransport?: (config: Extract<ChannelConfig, { type: 'smtp' }>) => SmtpTransport;
  now?: () => number;
}

/**
 * The channels of the configuration, built once per container (the handler's module scope).
 *
 * @example
 *   const channels = createChannels(config.channels, { sns, topicArn: config.topicArn });
 */
export function createChannels(configs: readonly ChannelConfig[], deps: ChannelDeps): NotificationChannel[] {
  return configs.map((config) => {
    switch (config.type) {
      case 'sns':
        if (!deps.sns || !deps.topicArn) throw new ConfigError(`channel "${config.name}": an sns channel needs ALERT_TOPIC_ARN`, { channel: config.name });
        return snsChannel(deps.sns, deps.topicArn, config.name, config.match);
      case 'smtp':
        return deps.smtpTransport ? smtpChannel(config, deps.smtpTransport(config)) : smtpChannel(config);
      default:
        return httpChannel(config, { fetch: deps.fetch, now: deps.now });
    }
  });
}
