/** DI token for the shared kafkajs `Kafka` instance. */
export const KAFKA = Symbol('KAFKA');
