/**
 * The invoice's "QR tributario" for a VERI*FACTU system, per the AEAT's "Detalle de las
 * especificaciones técnicas del código «QR» de la factura y de la «URL» del servicio de cotejo o
 * remisión de información por parte del receptor de la factura" v0.4.7 (17/10/2024), in
 * ../shared/einvoice/verifactu/aeat-docs-via-mdiago/NetFramework/Doc/
 * DetalleEspecificacTecnCodigoQRfactura.pdf ("QR spec" below). Section numbers are the spec's.
 *
 * This module builds the URL the QR holds and states the printing rules; drawing the QR itself is
 * the printer's/renderer's job (with the constants below).
 */
import type { IdFactura } from './record.js';

/** The AEAT environment: "Portal de Pruebas Externas" (preproducción) or production. */
export type VerifactuEnv = 'test' | 'prod';

/**
 * The ValidarQR service of a "Sistema que emite facturas verificables" (QR spec §5.1, with the
 * examples of §8.1 and §8.3). The "no verificables" variant (§5.2, ValidarQRNoVerifactu) is not
 * offered: tpv only runs as VERI*FACTU (SistemaInformatico.soloVerifactu = "S").
 */
export const QR_BASE_URL: Readonly<Record<VerifactuEnv, string>> = {
  test: 'https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR',
  prod: 'https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR',
};

/**
 * Encodes one URL parameter value as the QR spec §4 requires ("URL encoding" with UTF-8), exactly
 * as its §4.1 Java example does (`java.net.URLEncoder.encode(param, "UTF-8")`): ASCII letters,
 * digits and `.` `-` `*` `_` are kept, a space becomes `+`, every other character becomes its UTF-8
 * bytes as `%XX` (uppercase hex). So "12345678&G33" → "12345678%26G33" (§4), "A/1" → "A%2F1",
 * "T 1" → "T+1", "a+b" → "a%2Bb", "ñ" → "%C3%B1". Unlike encodeURIComponent, `!'()~` are encoded
 * too and a space is `+`, not `%20` (the AEAT's servlet decodes both the same way; this follows
 * the spec's own code).
 */
export function encodeQrParam(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    if (
      (byte >= 0x30 && byte <= 0x39) || // 0-9
      (byte >= 0x41 && byte <= 0x5a) || // A-Z
      (byte >= 0x61 && byte <= 0x7a) || // a-z
      byte === 0x2e || // .
      byte === 0x2d || // -
      byte === 0x2a || // *
      byte === 0x5f // _
    ) {
      out += String.fromCharCode(byte);
    } else if (byte === 0x20) {
      out += '+';
    } else {
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * The URL of the invoice's QR (QR spec §5.1): the base of `env`, then exactly the 4 parameters of
 * §6, in this order — nif (IDEmisorFactura), numserie (NumSerieFactura), fecha (FechaExpedicionFactura,
 * DD-MM-AAAA), importe (ImporteTotal) — each encoded with {@link encodeQrParam} (§4). The values are
 * used as the record holds them (ImporteTotal as written in the XML, "241.4" or "241.40": §4 and §8
 * write 241.4, the §4.1 Java example passes "241.40"). The optional 5th parameter `formato=json`
 * (§7) never goes in the QR. Values the service would reject are not refused here: see
 * {@link qrParamProblems}.
 */
export function qrUrl(env: VerifactuEnv, id: IdFactura, importeTotal: string): string {
  return (
    `${QR_BASE_URL[env]}?nif=${encodeQrParam(id.idEmisor)}` +
    `&numserie=${encodeQrParam(id.numSerie)}` +
    `&fecha=${encodeQrParam(id.fechaExpedicion)}` +
    `&importe=${encodeQrParam(importeTotal)}`
  );
}

/**
 * The validation codes of the ValidarQR service (QR spec §10) these values would get, by the
 * formats of §6: 1001–1004 a parameter empty (the service's "No se ha remitido el parámetro");
 * 2001 nif not 9 characters (the service also checks the NIF itself, not done here); 2002
 * numserie over 60 characters; 2003 numserie with characters outside ASCII 32–126 (§4: "las
 * cadenas de texto solo pueden contener caracteres ASCII con códigos del 32 al 126"); 2004 fecha
 * not DD-MM-AAAA; 2006 importe with over 12 integer digits; 2005 importe not a number with "." and
 * at most 2 decimals (an optional sign is accepted, as in the XSD's ImporteSgn12.2Type: §6 does
 * not say how corrective invoices' negative totals are written). Empty: the URL is acceptable.
 */
export function qrParamProblems(id: IdFactura, importeTotal: string): string[] {
  const problems: string[] = [];
  if (id.idEmisor === '') problems.push('1001');
  else if (id.idEmisor.length !== 9) problems.push('2001');
  if (id.numSerie === '') problems.push('1002');
  else {
    if (id.numSerie.length > 60) problems.push('2002');
    if (!/^[\x20-\x7e]*$/.test(id.numSerie)) problems.push('2003');
  }
  if (id.fechaExpedicion === '') problems.push('1003');
  else if (!/^\d{2}-\d{2}-\d{4}$/.test(id.fechaExpedicion)) problems.push('2004');
  if (importeTotal === '') problems.push('1004');
  else {
    const importe = /^[+-]?(\d+)(?:\.\d{0,2})?$/.exec(importeTotal);
    if (!importe) problems.push('2005');
    else if (importe[1]!.length > 12) problems.push('2006');
  }
  return problems;
}

/**
 * Error correction level of the QR: M (medio). Orden art. 21.1, quoted in QR spec §2: "Para la
 * generación del código «QR» se empleará el nivel M (medio) de corrección de errores."
 */
export const QR_ERROR_CORRECTION = 'M' as const;

/** The QR symbology standard to follow (Orden art. 21.1, QR spec §2): "ISO/IEC 18004:2015". */
export const QR_STANDARD = 'ISO/IEC 18004:2015';

/**
 * Printed size of the QR, a square side in millimetres (Orden art. 21.1, QR spec §2): "deberá
 * tener un tamaño entre 30x30 y 40x40 milímetros".
 */
export const QR_SIZE_MM = { min: 30, max: 40 } as const;

/**
 * Blank margin around the four sides of the QR, in millimetres (QR spec §3): "se deben mantener
 * como mínimo 2 milímetros de espacio vacío (en blanco) alrededor de los cuatro lados del código
 * «QR», recomendándose que sean 6 milímetros". §3 also asks for a high colour contrast with the
 * background.
 */
export const QR_QUIET_ZONE_MM = { min: 2, recommended: 6 } as const;

/**
 * The text that always precedes the QR (QR spec §3): "La presentación del código «QR» incluirá
 * también un texto que siempre deberá ir precediéndolo: «QR tributario:», y que se situará encima
 * del propio código «QR» (preferiblemente centrado con respecto a este)".
 */
export const QR_HEADING = 'QR tributario:';

/**
 * The long VERI*FACTU legend (Orden art. 20.1.b, quoted in QR spec §2; QR spec §3): "justo debajo
 * del código «QR» deberá aparecer la frase «Factura verificable en la sede electrónica de la AEAT»
 * o «VERI*FACTU», preferiblemente centrada con respecto al código «QR». Si no cabe toda la frase en
 * una sola línea, podrán utilizarse varias líneas hasta completarla." Either this or
 * {@link VERIFACTU_LEGEND_SHORT}: one of the two, not both.
 */
export const VERIFACTU_LEGEND_LONG = 'Factura verificable en la sede electrónica de la AEAT';

/** The short VERI*FACTU legend, the alternative to {@link VERIFACTU_LEGEND_LONG} (same passages). */
export const VERIFACTU_LEGEND_SHORT = 'VERI*FACTU';

/**
 * Where and how the QR goes on the invoice (QR spec §3, "Detalles de la ubicación y presentación
 * del código «QR» dentro de la factura"; examples in §12, e.g. a) and b): 57 mm wide receipts with
 * a 40x40 mm QR), the spec's words:
 */
export const QR_PLACEMENT = {
  /** "El código «QR» se situará al principio de la factura, antes de que empiece el contenido de ésta generado por el sistema informático de facturación" (unless an obstacle is justified: then well visible, clearly separated, "ocupando un lugar preeminente"). */
  atStart: true,
  /** "será siempre el primer código «QR» que aparecerá en la factura" (if there are others). */
  firstQr: true,
  /** "Si la factura ocupara varias páginas, el código «QR» aparecería una única vez, en la primera página." */
  firstPageOnly: true,
  /** Portrait: "arriba de esta, próximo al margen superior, preferiblemente centrado respecto a los márgenes izquierdo y derecho de la factura (o, si no, hacia el margen izquierdo-superior)". */
  portrait: 'top, near the top margin, preferably centred horizontally (else top-left)',
  /** Landscape: "a la izquierda de esta, preferiblemente cercana al margen superior-izquierdo (o, si no, centrada respecto a los márgenes superior e inferior de la factura)". */
  landscape: 'left, preferably near the top-left corner (else centred vertically)',
  /** {@link QR_HEADING} "encima del propio código «QR» (preferiblemente centrado con respecto a este)". */
  heading: 'above the QR, preferably centred on it',
  /** The VERI*FACTU legend "justo debajo del código «QR» … preferiblemente centrada", over several lines if needed. */
  legend: 'just below the QR, preferably centred on it, wrapped over several lines if needed',
  /** "deberán tener un tipo de letra y tamaño legibles, siempre iguales o superiores a los del resto de datos de la factura". */
  textSize: 'heading and legend legible, font size at least that of the rest of the invoice',
} as const;
