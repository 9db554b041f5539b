/**
 * LOINC codes and UCUM units of the measurements the synthetic records carry. These are the codes the clinical
 * models' data contracts look up (the Pooled Cohort Equations and CKD-EPI need total cholesterol, HDL, systolic
 * blood pressure and serum creatinine), so they are exported for reuse rather than repeated.
 *
 * LOINC distinguishes mass from substance concentration by its PROPERTY axis (MCnc vs SCnc), so a laboratory that
 * reports cholesterol in mmol/L uses 14647-2, not 2093-3 (LOINC Users' Guide §2.4 "Property"). A data contract for
 * a lab analyte therefore matches both codes of {@link LAB_ANALYTES} and converts by unit.
 */

/** A UCUM unit: `code` is the UCUM expression (https://ucum.org/ucum), `unit` the human-readable form. */
export interface UcumUnit {
  readonly unit: string;
  readonly code: string;
}

/** A LOINC code with its long common name and, for quantitative results, its unit and reported precision. */
export interface LoincMeasure {
  readonly code: string;
  readonly display: string;
  readonly unit: UcumUnit;
  /** Decimal places the (fictional) laboratory or device reports. */
  readonly decimals: number;
}

/** A LOINC code without a quantity (panels, documents, coded answers). */
export interface LoincCode {
  readonly code: string;
  readonly display: string;
}

const unit = (code: string, display: string = code): UcumUnit => ({ unit: display, code });

/** UCUM units used below. */
export const UNITS = {
  mmHg: unit('mm[Hg]', 'mmHg'),
  perMinute: unit('/min', 'beats/minute'),
  kg: unit('kg'),
  cm: unit('cm'),
  kgPerM2: unit('kg/m2'),
  mgPerDl: unit('mg/dL'),
  mmolPerL: unit('mmol/L'),
  umolPerL: unit('umol/L'),
  percent: unit('%'),
} as const;

/** Vital signs (FHIR R4 §8.2.1 "Vital Signs" profile table of LOINC codes and UCUM units). */
export const VITAL_SIGNS = {
  bloodPressurePanel: { code: '85354-9', display: 'Blood pressure panel with all children optional' } as LoincCode,
  systolic: { code: '8480-6', display: 'Systolic blood pressure', unit: UNITS.mmHg, decimals: 0 } as LoincMeasure,
  diastolic: { code: '8462-4', display: 'Diastolic blood pressure', unit: UNITS.mmHg, decimals: 0 } as LoincMeasure,
  heartRate: { code: '8867-4', display: 'Heart rate', unit: UNITS.perMinute, decimals: 0 } as LoincMeasure,
  bodyWeight: { code: '29463-7', display: 'Body weight', unit: UNITS.kg, decimals: 1 } as LoincMeasure,
  bodyHeight: { code: '8302-2', display: 'Body height', unit: UNITS.cm, decimals: 1 } as LoincMeasure,
  bmi: { code: '39156-5', display: 'Body mass index (BMI) [Ratio]', unit: UNITS.kgPerM2, decimals: 1 } as LoincMeasure,
} as const;

/**
 * A laboratory analyte in conventional (mass) units and, where laboratories also report it so, in SI substance
 * units. `massToMolar` multiplies a mass-unit value into the molar unit.
 */
export interface LabAnalyte {
  readonly mass: LoincMeasure;
  readonly molar?: LoincMeasure;
  readonly massToMolar?: number;
}

const measure = (code: string, display: string, u: UcumUnit, decimals: number): LoincMeasure => ({ code, display, unit: u, decimals });

/**
 * Laboratory analytes. Conversion factors are the conventional SI factors (AMA Manual of Style, SI conversion
 * table): cholesterol mg/dL × 0.02586 = mmol/L (1 mmol/L = 38.67 mg/dL), triglycerides mg/dL × 0.01129 = mmol/L
 * (1 mmol/L = 88.57 mg/dL), creatinine mg/dL × 88.4 = umol/L (the factor KDIGO 2012 CKD guideline uses).
 */
export const LAB_ANALYTES = {
  totalCholesterol: {
    mass: measure('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', UNITS.mgPerDl, 0),
    molar: measure('14647-2', 'Cholesterol [Moles/volume] in Serum or Plasma', UNITS.mmolPerL, 2),
    massToMolar: 1 / 38.67,
  },
  hdlCholesterol: {
    mass: measure('2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma', UNITS.mgPerDl, 0),
    molar: measure('14646-4', 'Cholesterol in HDL [Moles/volume] in Serum or Plasma', UNITS.mmolPerL, 2),
    massToMolar: 1 / 38.67,
  },
  ldlCholesterol: {
    mass: measure('18262-6', 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay', UNITS.mgPerDl, 0),
    molar: measure('22748-8', 'Cholesterol in LDL [Moles/volume] in Serum or Plasma', UNITS.mmolPerL, 2),
    massToMolar: 1 / 38.67,
  },
  triglycerides: {
    mass: measure('2571-8', 'Triglyceride [Mass/volume] in Serum or Plasma', UNITS.mgPerDl, 0),
    molar: measure('14927-8', 'Triglyceride [Moles/volume] in Serum or Plasma', UNITS.mmolPerL, 2),
    massToMolar: 1 / 88.57,
  },
  creatinine: {
    mass: measure('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma', UNITS.mgPerDl, 2),
    molar: measure('14682-9', 'Creatinine [Moles/volume] in Serum or Plasma', UNITS.umolPerL, 0),
    massToMolar: 88.4,
  },
  glucose: { mass: measure('2345-7', 'Glucose [Mass/volume] in Serum or Plasma', UNITS.mgPerDl, 0) },
  ureaNitrogen: { mass: measure('3094-0', 'Urea nitrogen [Mass/volume] in Serum or Plasma', UNITS.mgPerDl, 0) },
  sodium: { mass: measure('2951-2', 'Sodium [Moles/volume] in Serum or Plasma', UNITS.mmolPerL, 0) },
  potassium: { mass: measure('2823-3', 'Potassium [Moles/volume] in Serum or Plasma', UNITS.mmolPerL, 1) },
  chloride: { mass: measure('2075-0', 'Chloride [Moles/volume] in Serum or Plasma', UNITS.mmolPerL, 0) },
  carbonDioxide: { mass: measure('2028-9', 'Carbon dioxide, total [Moles/volume] in Serum or Plasma', UNITS.mmolPerL, 0) },
  calcium: { mass: measure('17861-6', 'Calcium [Mass/volume] in Serum or Plasma', UNITS.mgPerDl, 1) },
  hba1c: { mass: measure('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', UNITS.percent, 1) },
} as const satisfies Record<string, LabAnalyte>;

/** Names of the analytes in {@link LAB_ANALYTES}. */
export type AnalyteKey = keyof typeof LAB_ANALYTES;

/** Panels: the codes of the DiagnosticReports that group laboratory results. */
export const LOINC_PANELS = {
  lipidPanel: { code: '57698-3', display: 'Lipid panel with direct LDL - Serum or Plasma' },
  basicMetabolicPanel: { code: '51990-0', display: 'Basic metabolic panel - Blood' },
} as const satisfies Record<string, LoincCode>;

/** Tobacco smoking status (US Core 6.1 Smoking Status profile: LOINC 72166-2). */
export const SMOKING_STATUS_CODE: LoincCode = { code: '72166-2', display: 'Tobacco smoking status' };

/** Progress note document type. */
export const PROGRESS_NOTE_CODE: LoincCode = { code: '11506-3', display: 'Progress note' };
