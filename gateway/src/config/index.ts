export { type AppConfig, ConfigError, loadConfig, WELL_KNOWN_DEV_KEYS } from './app-config.js';
export { APP_CONFIG, ConfigModule } from './config.module.js';
export { type DatabaseConfig, redactUrl } from './database-url.js';
