/**
 * Real tax ids, per country: each valid one accepted with its kind (under its own country, and a VAT
 * number under any other country too), each invalid one refused with the problem its rule names.
 *
 * Sources: python-stdnum's module docstrings and tests (tests/test_eu_vat.doctest "found online",
 * test_ec_ruc, test_mx_rfc, test_gb_vat, test_bg_vat, test_bg_egn, test_cz_rc), the examples of
 * issue 16, and ids published by the entities themselves. Written as people type them.
 */
import { describe, expect, it } from 'vitest';
import { normalizeTaxId, UNVERIFIED, validateTaxId } from '../../src/core/taxid.js';

interface Table {
  country: string;
  kind: string;
  valid: string[];
  /** [id, problem code, rule when it names one] */
  invalid: [string, string, string?][];
}

const VAT: Table[] = [
  {
    country: 'AT',
    kind: 'VAT-AT',
    valid: ['ATU 142 43 102', 'ATU 15159209', 'ATU 28560205', 'ATU 57194903', 'ATU 65480455', 'ATU13585627', 'ATU61195628'],
    invalid: [['ATU 143 43 102', 'taxid.check', 'check digit'], ['ATU46080904', 'taxid.check'], ['AT1 142 43 102', 'taxid.format'], ['ATU 1515B209', 'taxid.format'], ['ATU 151592092', 'taxid.format']],
  },
  {
    country: 'BE',
    kind: 'VAT-BE',
    valid: ['BE (0)468.561.072', 'BE 0202.239.951', 'BE 0220.764.971', 'BE 0402 918 402', 'BE 444.503.092', 'BE 464 401 356', 'BE0428759497', 'BE413562567', 'BE697449992'],
    invalid: [['BE 0406.139.583', 'taxid.check', 'modulo 97'], ['BE 456.973.432', 'taxid.check'], ['BE697449982', 'taxid.check'], ['BE 02A2.239.951', 'taxid.format'], ['BE0000000000', 'taxid.format']],
  },
  {
    country: 'BG',
    kind: 'VAT-BG',
    valid: ['BG 103873594', 'BG 124 551 319', 'BG 131 272 009', 'BG175074752', 'Bg 200442771', 'BG7111042925', 'BG7523169263', 'BG7542011030', 'BG8032056031', 'BG 7501020018', 'BG 7153849522', 'BG 0010100100'],
    invalid: [['BG 1037735942', 'taxid.check_impossible', 'EGN / PNF / modulo 11'], ['BG 131 172 009', 'taxid.check', 'modulo 11'], ['BG 147147471', 'taxid.check'], ['BG 175074751', 'taxid.check'], ['BG 10X8735941', 'taxid.format']],
  },
  {
    country: 'CY',
    kind: 'VAT-CY',
    valid: ['CY 10246672X', 'CY 10263870R', 'CY- 10277198H', 'CY-10008489 A', 'CY-10259033P', 'CY00632993 F'],
    invalid: [['CY 10246672F', 'taxid.check', 'check letter'], ['CY-10257074Y', 'taxid.check'], ['CY-12259033P', 'taxid.component', 'first digits'], ['CY-102590Z3P', 'taxid.format']],
  },
  {
    country: 'CZ',
    kind: 'VAT-CZ',
    valid: ['CZ 25123891', 'CZ 60 72 77 72', 'CZ 640229/4448', 'CZ 640903926', 'CZ 654123789', 'CZ 6956220612', 'CZ 736028/5163', 'CZ00023205', 'CZ450 33 145', 'CZ6306150004', 'CZ7652046248', 'CZ 8801251680', 'CZ 991231123'],
    invalid: [['CZ 25557481', 'taxid.check', 'modulo 11'], ['CZ 640913926', 'taxid.check'], ['CZ 8058018314', 'taxid.check'], ['CZ 95123891', 'taxid.component', 'first digit'], ['CZ 1103492745', 'taxid.component', 'date'], ['CZ 590312/123', 'taxid.component', 'date']],
  },
  {
    country: 'DE',
    kind: 'VAT-DE',
    valid: ['DE 136,695 976', 'DE - 113866163', 'DE 118619592', 'DE 181 207 708', 'DE 221.304.969', 'DE 813 11 38 75', 'DE119263782', 'DE812847601'],
    invalid: [['DE 125014855', 'taxid.check', 'ISO 7064 MOD 11,10'], ['DE 813 91 38 75', 'taxid.check'], ['DE 246X595 415', 'taxid.format'], ['DE 011125440', 'taxid.format']],
  },
  {
    country: 'DK',
    kind: 'VAT-DK',
    valid: ['DK: 21599336', 'DK 10 50 32 80', 'DK 2566 2202', 'DK 90 30 16 59', 'DK-20 04 52 72', 'DK-27630308', 'DK10150817', 'DK 13585628'],
    invalid: [['DK 11 96 56 58', 'taxid.check', 'modulo 11'], ['DK 2565 2202', 'taxid.check'], ['DK10159817', 'taxid.check'], ['DK 13585627', 'taxid.check']],
  },
  {
    country: 'EE',
    kind: 'VAT-EE',
    valid: ['EE 100 931 558', 'EE 100523487', 'EE 100594102', 'EE 101031389', 'EE101256753'],
    invalid: [['EE 100 941 558', 'taxid.check', 'modulo 10'], ['EE 100525487', 'taxid.check'], ['EE101256754', 'taxid.check'], ['EE 10059410', 'taxid.format']],
  },
  {
    country: 'GR',
    kind: 'VAT-EL',
    valid: ['EL 94051189', 'EL 039868210', 'EL 094012834', 'EL 998386804', 'EL-082857563', 'EL: 094279805', 'El 800 179 925', 'GR 094259216'],
    invalid: [['EL 094013834', 'taxid.check', 'modulo 11'], ['EL094501140', 'taxid.check'], ['EL: 094269805', 'taxid.check'], ['EL 123456781', 'taxid.check']],
  },
  {
    country: 'FI',
    kind: 'VAT-FI',
    valid: ['FI 02459042', 'FI 0982651-1', 'FI 2094606-3', 'FI- 01968312', 'FI-214 95 540', 'FI18261444'],
    invalid: [['FI 20774741', 'taxid.check', 'modulo 11'], ['FI 0982651-2', 'taxid.check']],
  },
  {
    country: 'FR',
    kind: 'VAT-FR',
    valid: ['FR 04409414364', 'FR 114 248 728 36', 'FR 2143 2146 546', 'FR 41-343848552', 'FR K 7399859412', 'Fr 40 303 265 045', 'fr 71383076817', 'FR 4Z123456782', 'FR 23 334 175 221', 'FR32000000330', 'FR 53 0000 04605'],
    invalid: [
      ['FR 04409414264', 'taxid.check'],
      ['FR 21 326 565 603', 'taxid.check'],
      ['FR K 7399859312', 'taxid.check', 'Luhn (SIREN)'],
      ['FR L 7399859412', 'taxid.check_impossible', 'new-style key'],
      ['FR 84 323 140 391', 'taxid.check', 'Luhn (SIREN)'],
      ['FR IO334175221', 'taxid.format'],
      ['FR 404833048', 'taxid.format'],
      ['FR000076090', 'taxid.format'],
    ],
  },
  {
    country: 'HR',
    kind: 'VAT-HR',
    valid: ['HR 33392005961', 'HR 94577403194'],
    invalid: [['HR 33392005962', 'taxid.check', 'ISO 7064 MOD 11,10'], ['HR 3339200596', 'taxid.format']],
  },
  {
    country: 'HU',
    kind: 'VAT-HU',
    valid: ['HU -12509403', 'HU 10672101', 'HU 64241281', 'HU-12892312', 'HU13852467'],
    invalid: [['HU-12892313', 'taxid.check', 'modulo 10'], ['HU 1067210', 'taxid.format']],
  },
  {
    country: 'IE',
    kind: 'VAT-IE',
    valid: ['IE 0005306C', 'IE 632 3420 C', 'IE 8223200u', 'IE 9502346O', 'IE-9696131F', 'IE6433435IH', 'IE6433435OA', 'IE6599001W', 'IE8D79739I', 'IE9Y71814N', 'IE 1234567FA'],
    invalid: [['IE 4731823H', 'taxid.check', 'modulo 23'], ['IE 632 3421 C', 'taxid.check'], ['IE8D79729I', 'taxid.check'], ['IE 4550C59S', 'taxid.format'], ['IE 069385V8', 'taxid.format'], ['IE 111222333', 'taxid.format']],
  },
  {
    country: 'IT',
    kind: 'VAT-IT',
    valid: ['IT - 01404480202', 'IT 0 0 6 1 8 2 8 0 4 9 9', 'IT 00 595 000 217', 'IT 12920760159', 'IT00743110157', 'IT: 02331250163'],
    invalid: [['IT 00743110158', 'taxid.check', 'Luhn'], ['IT 00687129980', 'taxid.component', 'office'], ['IT 00000000000', 'taxid.format']],
  },
  {
    country: 'LT',
    kind: 'VAT-LT',
    valid: ['LT 100001354118', 'LT 100001919017', 'LT 119511515', 'LT 235449811', 'LT-100000979812', 'LT100004801610', 'LT290068995116'],
    invalid: [['LT 100001919018', 'taxid.check', 'modulo 11'], ['LT 100001509922', 'taxid.component', 'digit 11'], ['LT 119511525', 'taxid.component', 'digit 8'], ['LT 100001354', 'taxid.component', 'digit 8']],
  },
  {
    country: 'LU',
    kind: 'VAT-LU',
    valid: ['LU 10059929', 'LU 109 676 28', 'LU 150 274 42', 'LU.248.70.640', 'LU: 2294 4200', 'Lu 19980500'],
    invalid: [['LU 150 274 43', 'taxid.check', 'modulo 89']],
  },
  {
    country: 'LV',
    kind: 'VAT-LV',
    valid: ['LV 4000 3521 600', 'LV 40003189718', 'LV 5000 399 3021', 'LV 90000528023', 'LV-42103048183', 'LV 161175-19997'],
    invalid: [['LV 40003189715', 'taxid.check', 'modulo 11'], ['LV 90000528022', 'taxid.check'], ['LV-10103241337', 'taxid.check'], ['LV-42103048181', 'taxid.check'], ['LV 161375-19997', 'taxid.component', 'date']],
  },
  {
    country: 'MT',
    kind: 'VAT-MT',
    valid: ['MT 1039-6417', 'MT 1167-9112', 'MT 1465 8213', 'MT 17025737', 'MT 2029 1423'],
    invalid: [['MT 1167-9113', 'taxid.check', 'modulo 37'], ['MT 01679112', 'taxid.format']],
  },
  {
    country: 'NL',
    kind: 'VAT-NL',
    valid: ['NL4495445B01', 'NL00449544B01', 'NL 001241 643 B01', 'NL 8225.69.759 b01', 'NL-8197.38.116.B.01', 'NL.0094.10.806.B.01', 'NL001162938B28', 'NL002455799B11', 'NL68357370B01', 'NL813411786B01'],
    invalid: [['NL 123456789B90', 'taxid.check_impossible', 'BSN / ISO 7064 MOD 97,10'], ['NL 001241643801', 'taxid.format'], ['NL 009122746B00', 'taxid.format'], ['NL B06753742B01', 'taxid.format'], ['NL006866304B021', 'taxid.format']],
  },
  {
    country: 'PL',
    kind: 'VAT-PL',
    valid: ['PL 5211355116', 'PL 584-030-44-72', 'PL 687-16-26-585', 'PL 5262987091', 'PL-951-157-77-68', 'PL6772135826'],
    invalid: [['PL 8567346216', 'taxid.check', 'modulo 11'], ['PL 521135511', 'taxid.format']],
  },
  {
    country: 'PT',
    kind: 'VAT-PT',
    valid: ['PT 500 019 720', 'PT 500135.495', 'PT 501 964 843', 'PT-505 856 468', 'PT503038083'],
    invalid: [['PT 501 964 842', 'taxid.check', 'modulo 11'], ['PT 001964843', 'taxid.format']],
  },
  {
    country: 'RO',
    kind: 'VAT-RO',
    valid: ['RO 11358544', 'RO 1630615123457', 'RO 1822964', 'RO 185 472 90', 'RO 241 30 20', 'RO 573768', 'RO-23867797', 'Ro 15071875'],
    invalid: [['RO 185 472 91', 'taxid.check', 'modulo 11'], ['RO 1630615123458', 'taxid.check', 'modulo 11'], ['RO 1632215123457', 'taxid.component', 'date'], ['RO 0185472', 'taxid.format'], ['RO 12345678901', 'taxid.format']],
  },
  {
    country: 'SE',
    kind: 'VAT-SE',
    valid: ['SE 202 100-5000 01', 'SE 556.383.740.901', 'SE-556 644 662 001', 'SE-5562245190-01', 'Se 556250398601', 'SE 123456789701'],
    invalid: [['SE 123456789101', 'taxid.check', 'Luhn'], ['SE 55643359201', 'taxid.format'], ['SE 5567003255201', 'taxid.format']],
  },
  {
    country: 'SI',
    kind: 'VAT-SI',
    valid: ['SI 26808498', 'SI 3609 7152', 'SI 50223054', 'SI-83815201', 'SI-89036999'],
    invalid: [['SI 50223055', 'taxid.check', 'modulo 11'], ['SI 06808498', 'taxid.format']],
  },
  {
    country: 'SK',
    kind: 'VAT-SK',
    valid: ['SK 1078449064', 'SK 202 274 96 19', 'SK 2020 237 945', 'SK 2021 6858 20', 'SK2022193459', 'SK 7103192745'],
    invalid: [['SK 1078449164', 'taxid.check', 'modulo 11'], ['SK 302 274 96 19', 'taxid.check_impossible', 'modulo 11'], ['SK 2030 237 945', 'taxid.check'], ['SK 012 274 96 19', 'taxid.component', 'first digit'], ['SK 2010 237 945', 'taxid.component', 'third digit'], ['SK A078449064', 'taxid.format']],
  },
  {
    country: 'XI',
    kind: 'VAT-XI',
    valid: ['XI 980 7806 84', 'XI 100190874', 'XI 242338087388', 'XI GD100', 'XI HA501', 'XI GD888810003', 'XI HA888856782', 'XI 002 4257 28'],
    invalid: [['XI 802311781', 'taxid.check_impossible', 'modulo 97'], ['XI 001234567', 'taxid.check_impossible'], ['XI GD600', 'taxid.component', 'GD/HA number'], ['XI HA201', 'taxid.component'], ['XI GD888860018', 'taxid.component'], ['XI HA888856700', 'taxid.check', 'modulo 97'], ['XI 9807806842', 'taxid.format'], ['XI GD8888567B2', 'taxid.format']],
  },
  {
    country: 'GB',
    kind: 'VAT-GB',
    valid: ['GB 980 7806 84', 'GB 002 4257 28', 'GB 100 1950 75', 'GB 242338087388', 'GB 586 367 295', 'GB260311213', 'GB974053902', 'GD100', 'HA888856782'],
    invalid: [['GB 802311781', 'taxid.check_impossible', 'modulo 97'], ['GB ZZ100', 'taxid.format'], ['GB 9807806B4', 'taxid.format']],
  },
];

const NATIONAL: Table[] = [
  {
    country: 'ES',
    kind: '',
    valid: ['12345678Z', 'X1234567L', 'B12345674', 'A28015865', 'Q2826000H', 'ES B-58378431', 'ES-x-2482300w'],
    invalid: [['12345678Y', 'taxid.check', 'control letter'], ['B12345675', 'taxid.check', 'control digit'], ['ES 54362415K', 'taxid.check'], ['I2345678Z', 'taxid.format']],
  },
  {
    country: 'EC',
    kind: '',
    valid: [
      '1714307103', '171430710-3', '0602910945', '0926687856', // cédulas
      '0101016905001', '0962467429001', '1714307103001', '1803557964001', // natural persons (third digit 6 too)
      '0160000510001', '0968529830001', '1768152130001', '2160011760001', // public entities
      '0190115798001', '0992397535001', '1790011674001', '1792060346-001', '1793221293001', // companies (public-entity rule too)
      '9999999999999',
    ],
    invalid: [
      ['1714307104', 'taxid.check', 'modulo 10'],
      ['1784307108', 'taxid.component', 'third digit'],
      ['8814307107', 'taxid.component', 'province'],
      ['171430710', 'taxid.format'],
      ['123A567890', 'taxid.format'],
      ['1763154690001', 'taxid.check', 'modulo 11'],
      ['0160000610001', 'taxid.check_impossible', 'modulo 11'],
      ['0190115799001', 'taxid.check', 'modulo 11'],
      ['0170000610001', 'taxid.component', 'third digit'],
      ['8810034069001', 'taxid.component', 'province'],
      ['0926687856000', 'taxid.component', 'establishment'],
      ['1760001550000', 'taxid.component', 'establishment'],
      ['0992397535000', 'taxid.component', 'establishment'],
      ['179206034601', 'taxid.format'],
    ],
  },
  {
    country: 'MX',
    kind: '',
    valid: ['GODE 561231 GR8', 'MAB-930714-8T4', '&&&030828PX7', 'AAA390128530', 'AEL7407151YA', 'CGB000229SW0', 'EITM9103155L7', 'GOAJ7101257MA', 'MUÑ110218LJ6', 'RABT551122827', 'YAT000229588', 'XAXX010101000', 'XEXX010101000'],
    invalid: [['CACA 580710 NF7', 'taxid.component', 'name letters'], ['ABCD 123456', 'taxid.component', 'date'], ['AKJ970902', 'taxid.format'], ['AABN 821103 8Ñ2', 'taxid.format'], ['GODE561231GR', 'taxid.format']],
  },
];

/** Real RFCs the SAT confirms whose check digit does not match (python-stdnum tests/test_mx_rfc.doctest), and other unverifiable forms. */
const MX_UNVERIFIED: [string, string][] = [
  ['AAC0903183F6', 'taxid.check'],
  ['SIN 931116 9P8', 'taxid.check'],
  ['AAMM450222AJ1', 'taxid.check'],
  ['BABC300126Q66', 'taxid.check'],
  ['CAMG590407QSA', 'taxid.check'],
  ['DES8707223AA', 'taxid.check'],
  ['HHO900507844', 'taxid.check'],
  ['TPM06111759A', 'taxid.check'],
  ['YME9610251W6', 'taxid.check'],
  ['CCM 650122 I06', 'taxid.component'], // homoclave with a 0 second
  ['COMG-600703', 'taxid.format'], // a person's RFC without homoclave
];

const problemOf = (country: string, id: string): { code: string; params?: Record<string, unknown> } | null => {
  const r = validateTaxId(country, id);
  return r.ok ? null : r.problem;
};

describe('real VAT numbers, per country', () => {
  for (const t of VAT) {
    it(`${t.country}: ${t.valid.length} valid accepted under ${t.country} and any country, ${t.invalid.length} invalid refused naming the rule`, () => {
      for (const id of t.valid) {
        const r = validateTaxId(t.country, id);
        expect(r, `${id} under ${t.country}`).toMatchObject({ ok: true, value: { kind: t.kind } });
        if (!r.ok) continue;
        const prefix = t.kind.slice(4);
        expect(r.value.normalized.startsWith(prefix), id).toBe(true);
        if (normalizeTaxId(id).startsWith(prefix) || (prefix === 'EL' && normalizeTaxId(id).startsWith('GR'))) {
          expect(validateTaxId('US', id), `${id} under US`).toEqual(r);
          expect(validateTaxId('EC', id), `${id} under EC`).toEqual(r);
        }
        expect(validateTaxId(t.country, r.value.normalized), `${id} normalized`).toEqual(r);
      }
      for (const [id, code, rule] of t.invalid) {
        const p = problemOf(t.country, id);
        expect(p, `${id} under ${t.country}`).toMatchObject({ code, params: { kind: t.kind, ...(rule ? { rule } : {}) } });
      }
    });
  }
});

describe('real national tax ids (Spain, Ecuador, Mexico)', () => {
  for (const t of NATIONAL) {
    it(`${t.country}: ${t.valid.length} valid, ${t.invalid.length} invalid naming the rule`, () => {
      for (const id of t.valid) {
        const r = validateTaxId(t.country, id);
        expect(r.ok && r.value.kind !== UNVERIFIED, `${id}: ${JSON.stringify(r)}`).toBe(true);
      }
      for (const [id, code, rule] of t.invalid) expect(problemOf(t.country, id), id).toMatchObject({ code, ...(rule ? { params: { rule } } : {}) });
    });
  }

  it('MX: real RFCs whose check digit (or homoclave) does not match are kept unverified, with the rule they fail', () => {
    for (const [id, code] of MX_UNVERIFIED) {
      expect(validateTaxId('MX', id), id).toMatchObject({ ok: true, value: { normalized: normalizeTaxId(id), kind: UNVERIFIED, warning: { code } } });
    }
  });

  it('EC: the kinds of the examples of issue 16', () => {
    expect(validateTaxId('EC', '1793221293001')).toEqual({ ok: true, value: { normalized: '1793221293001', kind: 'RUC sociedad privada' } });
    expect(validateTaxId('EC', '0962467429001')).toEqual({ ok: true, value: { normalized: '0962467429001', kind: 'RUC persona natural' } });
  });
});
