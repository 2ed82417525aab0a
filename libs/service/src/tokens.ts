/** Injection tokens of the service shell (the classes are injected by class). */
export const SERVICE_CONFIG = Symbol.for('skblab.service.config');
export const KAFKA = Symbol.for('skblab.service.kafka');
export const REDIS = Symbol.for('skblab.service.redis');
export const LAYER_STATE_PROVIDER = Symbol.for('skblab.service.layer-state-provider');
