/**
 * The huella ("hash") of a VERI*FACTU registro de facturación, per the AEAT's "Detalle de las
 * especificaciones técnicas para generación de la huella o hash de los registros de facturación"
 * v0.1.2 (27/08/2024), in ../shared/einvoice/verifactu/aeat-docs-via-mdiago/NetFramework/Doc/
 * Veri-Factu_especificaciones_huella_hash_registros.pdf:
 *
 * - §2 "Algoritmo a utilizar": SHA-256 (the only one allowed; TipoHuella 01).
 * - §3 "Datos de entrada": a fixed list of fields per record type, in that order, concatenated as
 *   `nombreCampo1=valorCampo1&nombreCampo2=valorCampo2&…`, the names as in the XML design, each
 *   value as in the XML "eliminando los espacios al inicio y al final", a missing or empty field
 *   written as just `nombre=` (the first record: `…&Huella=&FechaHoraHusoGenRegistro=…`), the
 *   string encoded as UTF-8 bytes. Values are not escaped: a NumSerieFactura may hold "&" (the
 *   AEAT forbids `"`, `'`, `<`, `>` and `=` in it, Validaciones y errores §3.1.3).
 * - §4, the Java example (`getValorCampo`: `valor.trim()`, null → ""), which fixes what "spaces"
 *   means here: Java's String.trim() strips every char ≤ U+0020 (space, tab, CR, LF, other C0
 *   controls) at both ends, and nothing else (not U+00A0 and the other Unicode spaces that
 *   JavaScript's String.prototype.trim() would also strip).
 * - §5 "Datos de salida": hexadecimal, uppercase, 64 characters, written in RegistroAlta/Huella or
 *   RegistroAnulacion/Huella, also for the first record of the chain.
 * - §6 "Ejemplos": three worked examples, reproduced in tests/unit/verifactu-huella.test.ts.
 *
 * Numbers are hashed exactly as written in the XML: §3 says a CuotaTotal/ImporteTotal with one or
 * two decimals ("123.1" or "123.10") is "igualmente válido para la generación de la huella", i.e.
 * the AEAT accepts a huella computed over either spelling, provided it is the one in the XML. So the
 * record's string (the same text the XML writes) is hashed as is, never reformatted.
 */
import { createHash } from 'node:crypto';
import type { Registro, RegistroAlta, RegistroAnulacion } from './record.js';

/** One `name=value` pair of the hashed text, in spec order; `value` as in the XML, untrimmed. */
export type HuellaField = readonly [name: string, value: string];

/**
 * The fields hashed, in order (hash spec §3): a) for an alta, b) for an anulación (whose names carry
 * the "Anulada" suffix of RegistroAnulacion/IDFactura). Huella is the previous record's
 * (Encadenamiento/RegistroAnterior/Huella), empty for the first record of the chain.
 */
export function huellaFields(r: Registro): HuellaField[] {
  const previous = r.anterior?.huella ?? '';
  if (r.kind === 'alta') {
    return [
      ['IDEmisorFactura', r.id.idEmisor],
      ['NumSerieFactura', r.id.numSerie],
      ['FechaExpedicionFactura', r.id.fechaExpedicion],
      ['TipoFactura', r.tipoFactura],
      ['CuotaTotal', r.cuotaTotal],
      ['ImporteTotal', r.importeTotal],
      ['Huella', previous],
      ['FechaHoraHusoGenRegistro', r.fechaHoraHusoGenRegistro],
    ];
  }
  return [
    ['IDEmisorFacturaAnulada', r.id.idEmisor],
    ['NumSerieFacturaAnulada', r.id.numSerie],
    ['FechaExpedicionFacturaAnulada', r.id.fechaExpedicion],
    ['Huella', previous],
    ['FechaHoraHusoGenRegistro', r.fechaHoraHusoGenRegistro],
  ];
}

/**
 * Removes what Java's String.trim() removes (the spec's §4 example): chars U+0000–U+0020 at both
 * ends. Inner spaces stay (" 12345678 / G33 " → "12345678 / G33", §3).
 */
export function trimHuellaValue(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 0x20) start++;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end--;
  return value.slice(start, end);
}

/** The exact text hashed (hash spec §3): `Name=value` pairs joined by `&`, values trimmed. */
export function huellaInput(r: RegistroAlta | RegistroAnulacion): string {
  return huellaFields(r)
    .map(([name, value]) => `${name}=${trimHuellaValue(value)}`)
    .join('&');
}

/** SHA-256 of a text's UTF-8 bytes, uppercase hexadecimal (64 characters; hash spec §2, §5). */
export function sha256HexUpper(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').toUpperCase();
}

/** The record's huella, computed from its other fields (its own `huella` is ignored). */
export function huella(r: RegistroAlta | RegistroAnulacion): string {
  return sha256HexUpper(huellaInput(r));
}

/** The record with its `huella` set from the other fields; the argument is not modified. */
export function withHuella<R extends RegistroAlta | RegistroAnulacion>(r: R): R {
  return { ...r, huella: huella(r) };
}

/** Whether the record's `huella` is the one its fields give (e.g. a record read back from the database). */
export function huellaMatches(r: RegistroAlta | RegistroAnulacion): boolean {
  return r.huella === huella(r);
}
