import { ACCESS_LOG_FORMAT } from './access-log';
import { APACHE_ERROR_FORMAT } from './apache-error';
import { BGL_FORMAT } from './bgl';
import { BRIEF_FORMAT } from './brief';
import { CRI_WRAPPER, DOCKER_JSON_WRAPPER } from './container';
import { GLOG_FORMAT } from './glog';
import { JSON_FORMAT } from './json';
import { LOGCAT_FORMAT } from './logcat';
import { LOGFMT_FORMAT } from './logfmt';
import { MYSQL_FORMAT } from './mysql';
import { NGINX_ERROR_FORMAT } from './nginx-error';
import { POSTGRESQL_FORMAT } from './postgresql';
import { PYTHON_BASIC_FORMAT } from './python-basic';
import { RAILS_FORMAT } from './rails';
import { SYSLOG_FORMAT } from './syslog';
import { TIMESTAMP_LEVEL_FORMAT } from './timestamp-level';
import { WINSTON_SIMPLE_FORMAT } from './winston-simple';
import type { LineFormat, LineWrapper } from './types';

/**
 * Every preset format, in the order `auto` tries them: the specific shapes
 * first, the generic "timestamp then level word" last, so a line is claimed
 * by the parser that knows it best.
 */
export const ALL_FORMATS: readonly LineFormat[] = [
  JSON_FORMAT,
  LOGFMT_FORMAT,
  RAILS_FORMAT,
  GLOG_FORMAT,
  LOGCAT_FORMAT,
  BGL_FORMAT,
  PYTHON_BASIC_FORMAT,
  WINSTON_SIMPLE_FORMAT,
  NGINX_ERROR_FORMAT,
  APACHE_ERROR_FORMAT,
  ACCESS_LOG_FORMAT,
  MYSQL_FORMAT,
  POSTGRESQL_FORMAT,
  SYSLOG_FORMAT,
  BRIEF_FORMAT,
  TIMESTAMP_LEVEL_FORMAT,
];

/** Container runtimes' record formats, unwrapped before the line is parsed. */
export const WRAPPERS: readonly LineWrapper[] = [DOCKER_JSON_WRAPPER, CRI_WRAPPER];
