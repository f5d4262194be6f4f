/**
 * Spain's VERI*FACTU "registros de facturación" as plain data: every value a string exactly as it
 * is written in the XML (SuministroInformacion.xsd), so the huella (hash) and the XML are made from
 * the same text. The official documents are in ../shared/einvoice/verifactu (hash spec v0.1.2, QR
 * spec v0.4.7, web-service description, validations and errors, XSDs and WSDL).
 */

/** F1 invoice, F2 simplified invoice (ticket), F3 invoice replacing simplified ones, R1–R5 corrective (R5: of a simplified one). */
export type TipoFactura = 'F1' | 'F2' | 'F3' | 'R1' | 'R2' | 'R3' | 'R4' | 'R5';

/** A factura as VERI*FACTU names it. */
export interface IdFactura {
  /** The issuer's NIF. */
  idEmisor: string;
  /** The number with its series ("T01-000123"). */
  numSerie: string;
  /** The issue date, "dd-mm-yyyy". */
  fechaExpedicion: string;
}

/** The previous record of the chain (absent: this is the first record, PrimerRegistro = S). */
export interface RegistroAnterior extends IdFactura {
  huella: string;
}

/** Why an operation is exempt (OperacionExentaType): E1 art. 20 LIVA, E2 art. 21, E3 art. 22, E4 arts. 23–24, E5 art. 25, E6 other. */
export type OperacionExenta = 'E1' | 'E2' | 'E3' | 'E4' | 'E5' | 'E6';
export const OPERACIONES_EXENTAS: readonly OperacionExenta[] = ['E1', 'E2', 'E3', 'E4', 'E5', 'E6'];

/** One line of the VAT breakdown (Desglose/DetalleDesglose). */
export type DetalleDesglose = {
  /** Impuesto: "01" IVA (the default, may be left out of the XML). */
  impuesto?: '01' | '02' | '03' | '05';
  /** ClaveRegimen: "01" general regime. */
  claveRegimen: string;
  /** BaseImponibleOimporteNoSujeto: "100.00". */
  base: string;
} & (
  | {
      /** S1 subject and not exempt (with a rate and its cuota); N1/N2 not subject (neither). */
      calificacion: 'S1' | 'S2' | 'N1' | 'N2';
      /** "21", "10", "4" (as written; absent for N1/N2). */
      tipoImpositivo?: string;
      /** CuotaRepercutida (absent for N1/N2). */
      cuota?: string;
      operacionExenta?: undefined;
    }
  | {
      /** Exempt (OperacionExenta instead of CalificacionOperacion): no rate, no cuota. */
      operacionExenta: OperacionExenta;
      calificacion?: undefined;
      tipoImpositivo?: undefined;
      cuota?: undefined;
    }
);

/** The customer (IDDestinatario): a Spanish NIF, or another id (IDOtro) with its country and type. */
export type Destinatario = { nombreRazon: string } & (
  | { nif: string; idOtro?: undefined }
  | {
      /** IDType 02 NIF-IVA (an EU VAT number, with its prefix), 03 passport, 04 an official id of the country of residence, 06 another document. */
      idOtro: { codigoPais: string; idType: '02' | '03' | '04' | '05' | '06' | '07'; id: string };
      nif?: undefined;
    }
);

/** The software that made the record (SistemaInformatico). */
export interface SistemaInformatico {
  nombreRazon: string;
  nif: string;
  nombreSistema: string;
  /** IdSistemaInformatico: 2 characters. */
  idSistema: string;
  version: string;
  /** NumeroInstalacion: this installation (one chain per installation). */
  numeroInstalacion: string;
  /** "S": tpv can only be used as VERI*FACTU. */
  soloVerifactu: 'S' | 'N';
  multiOT: 'S' | 'N';
  indicadorMultiplesOT: 'S' | 'N';
}

/** A "registro de alta": one per invoice, ticket or corrective invoice. */
export interface RegistroAlta {
  kind: 'alta';
  id: IdFactura;
  nombreRazonEmisor: string;
  /** Subsanacion "S": a corrected resend of a record the AEAT holds (tpv einvoice fix). */
  subsanacion?: boolean;
  /** RechazoPrevio "S": a resend of a record the AEAT rejected. */
  rechazoPrevio?: boolean;
  tipoFactura: TipoFactura;
  /** R1–R5: "S" by substitution, "I" by differences. */
  tipoRectificativa?: 'S' | 'I';
  /** R1–R5: the invoices corrected (FacturasRectificadas). */
  rectificadas?: IdFactura[];
  /** F3: the simplified invoices it replaces (FacturasSustituidas). */
  sustituidas?: IdFactura[];
  /** "por sustitución": the corrected amounts (BaseRectificada, CuotaRectificada). */
  importeRectificacion?: { base: string; cuota: string };
  descripcionOperacion: string;
  /** F1, F3, R1–R4: the customer. */
  destinatarios?: Destinatario[];
  desglose: DetalleDesglose[];
  cuotaTotal: string;
  importeTotal: string;
  anterior: RegistroAnterior | null;
  sistema: SistemaInformatico;
  /** "2024-09-13T19:20:30+01:00": when the record was made, with the offset. */
  fechaHoraHusoGenRegistro: string;
  /** SHA-256, uppercase hex (TipoHuella 01). */
  huella: string;
}

/** A "registro de anulación": an invoice issued in error, cancelled. */
export interface RegistroAnulacion {
  kind: 'anulacion';
  id: IdFactura;
  anterior: RegistroAnterior | null;
  sistema: SistemaInformatico;
  fechaHoraHusoGenRegistro: string;
  huella: string;
}

export type Registro = RegistroAlta | RegistroAnulacion;

/** Who must issue the records (Cabecera/ObligadoEmision): the store. */
export interface ObligadoEmision {
  nombreRazon: string;
  nif: string;
}
