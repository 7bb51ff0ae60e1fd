import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chinaMap } from '../../../contracts/dashboard.ts';
import { etagOf } from '../../shared/etag.rules.ts';

/**
 * The province map of China the dashboards draw. By default the schematic map of the china-geojson package
 * (not an approved standard map); an operator replaces it with an approved one (审图号) through CHINA_MAP_FILE.
 * Read once, on first use, and served as is with a strong ETag.
 */

export const BUNDLED_CHINA_MAP = createRequire(import.meta.url).resolve('china-geojson/src/geojson/china.json');

export interface MapFile {
  readonly body: Buffer;
  readonly etag: string;
}

async function readMap(path: string): Promise<MapFile> {
  const body = await readFile(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error(`The China map file ${path} is not JSON.`);
  }
  if (!chinaMap.safeParse(parsed).success)
    throw new Error(`The China map file ${path} is not a GeoJSON FeatureCollection.`);
  return { body, etag: etagOf(body) };
}

/** The map at `configured` (or the bundled one when empty), loaded once; a failed load is tried again next time. */
export function chinaMapSource(configured: string): () => Promise<MapFile> {
  const path = configured === '' ? BUNDLED_CHINA_MAP : configured;
  let loading: Promise<MapFile> | undefined;
  return () => {
    loading ??= readMap(path).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
