// Changer inventory as data, rendered and parsed in exactly the layout of `mtx status` (mtx 1.3 Status()).

export interface DriveElement {
  /** 0-based, as mtx numbers Data Transfer Elements. */
  readonly n: number;
  readonly full: boolean;
  readonly barcode: string | null;
  /** Storage element the cartridge came from; null = unknown. */
  readonly sourceSlot: number | null;
}

export interface StorageElement {
  /** 1-based, import/export elements numbered after the storage slots. */
  readonly n: number;
  readonly full: boolean;
  readonly barcode: string | null;
  readonly importExport: boolean;
}

export interface ChangerStatus {
  readonly device: string;
  readonly drives: readonly DriveElement[];
  /** All storage elements including import/export ones. */
  readonly slots: readonly StorageElement[];
  /** `mtx status` output, byte for byte. */
  text(): string;
}

export function renderMtxStatus(device: string, drives: readonly DriveElement[], slots: readonly StorageElement[]): string {
  const ie = slots.filter((s) => s.importExport).length;
  let out = `  Storage Changer ${device}:${drives.length} Drives, ${slots.length} Slots ( ${ie} Import/Export )\n`;
  for (const d of drives) {
    out += `Data Transfer Element ${d.n}:`;
    if (!d.full) out += 'Empty\n';
    else {
      out += d.sourceSlot !== null ? `Full (Storage Element ${d.sourceSlot} Loaded)` : 'Full (Unknown Storage Element Loaded)';
      if (d.barcode) out += `:VolumeTag = ${d.barcode}`;
      out += '\n';
    }
  }
  for (const s of slots) {
    out += `      Storage Element ${s.n}${s.importExport ? ' IMPORT/EXPORT' : ''}:${s.full ? 'Full ' : 'Empty'}`;
    if (s.full && s.barcode) out += `:VolumeTag=${s.barcode}`;
    out += '\n';
  }
  return out;
}

export function makeChangerStatus(device: string, drives: readonly DriveElement[], slots: readonly StorageElement[]): ChangerStatus {
  return { device, drives, slots, text: () => renderMtxStatus(device, drives, slots) };
}

/** Parses `mtx status` output (the inverse of renderMtxStatus; tolerant of AlternateVolumeTag). */
export function parseMtxStatus(out: string): ChangerStatus {
  const head = /^\s*Storage Changer (.*):(\d+) Drives, (\d+) Slots \( (\d+) Import\/Export \)/m.exec(out);
  if (!head) throw new Error(`cannot parse mtx status output: ${JSON.stringify(out.slice(0, 200))}`);
  const drives: DriveElement[] = [];
  const slots: StorageElement[] = [];
  for (const line of out.split('\n')) {
    const d = /^Data Transfer Element (\d+):(Empty|Full \((?:Storage Element (\d+)|Unknown Storage Element) Loaded\))(?::VolumeTag = ?([^:]*?)\s*)?(?::AlternateVolumeTag.*)?$/.exec(line);
    if (d) {
      drives.push({ n: Number(d[1]), full: d[2] !== 'Empty', barcode: d[4] ? d[4] : null, sourceSlot: d[3] !== undefined ? Number(d[3]) : null });
      continue;
    }
    const s = /^\s*Storage Element (\d+)( IMPORT\/EXPORT)?:(Full |Empty)(?::VolumeTag=([^:]*?)\s*)?(?::AlternateVolumeTag.*)?$/.exec(line);
    if (s) slots.push({ n: Number(s[1]), full: s[3] === 'Full ', barcode: s[4] ? s[4] : null, importExport: s[2] !== undefined });
  }
  return makeChangerStatus(head[1]!, drives, slots);
}
