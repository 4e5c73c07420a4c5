import type { Quality } from './quality';

/** What a point's values are; fixed for the life of the point (one field keeps one type forever). */
export type ValueType = 'number' | 'boolean' | 'string';

export const VALUE_TYPES: readonly ValueType[] = ['number', 'boolean', 'string'];

export type SampleValue = number | boolean | string;

/** One observation of one point, already in the point's canonical unit. */
export interface Sample {
  pointId: string;
  /** Unix epoch milliseconds (source timestamp when the source gives one, else receive time) */
  ts: number;
  value: SampleValue;
  quality: Quality;
  /** the source's own status: OPC UA StatusCode, Modbus exception code, HTTP status; 0 or absent when good */
  rawStatus?: number;
}
