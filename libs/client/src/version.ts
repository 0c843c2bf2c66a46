/** The SDK's package version, reported in every outcome and heartbeat (`worker.sdk`). */
export const SDK_VERSION = '0.1.0';
