export * from './topology';
export * from './quality';
export * from './sample';
export * from './event';
export * from './units';
export * from './point';
export * from './dataframe';
export * from './query';
