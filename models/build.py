#!/usr/bin/python3
"""Builds every diagnostic model in models/: model.onnx, card.json, golden.json and model.onnx.sha256.

    /usr/bin/python3 models/build.py           # (re)write models/<id>/<version>/*
    /usr/bin/python3 models/build.py --check   # build into a temporary folder; exit 1 naming every file that differs

Needs Debian's python3-onnx (1.12), python3-numpy and python3-sklearn (1.2, which ships the Wisconsin diagnostic
breast cancer data); no network, no PyPI. The output is byte-for-byte reproducible: fixed producer name and version,
no timestamps, deterministic protobuf serialization, single-threaded BLAS, learned weights stored to 12 significant
digits. One function per model: build_ascvd_pce_2013, build_egfr_ckd_epi_2009, build_egfr_ckd_epi_2021,
build_wdbc_malignancy. The golden vectors of the published equations are values published in the papers or by
independent implementations (each case names its source); every one is also checked here against a plain numpy
evaluation of the equation, and test/models/golden-vectors.spec.ts runs them all through onnxruntime-node.
"""

import os

# Single-threaded BLAS before numpy loads: the learned model's bytes must not depend on thread scheduling.
for _var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_var] = '1'
# Nor on the CPU: OpenBLAS picks its kernels by CPU model (AVX-512 machines and others round differently), so pin
# the baseline x86-64 kernels, which every x86-64 CPU runs.
os.environ['OPENBLAS_CORETYPE'] = 'Prescott'

import argparse  # noqa: E402
import csv  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

MODELS = Path(__file__).resolve().parent
PRODUCER_NAME = 'fhir-gateway models/build.py'
PRODUCER_VERSION = '1.0.0'
OPSET = 13
IR_VERSION = 8
OUTCOME_SYSTEM = 'https://fhir-gateway.example/CodeSystem/model-outcome'
LOINC = 'http://loinc.org'
SNOMED = 'http://snomed.info/sct'
RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm'

# ---------------------------------------------------------------------------------------------------------------
# ONNX graph helpers
# ---------------------------------------------------------------------------------------------------------------


class Graph:
    """Collects nodes and double initializers with stable, readable names."""

    def __init__(self, width):
        self.width = width
        self.nodes = []
        self.initializers = []
        self.count = 0

    def const(self, name, values):
        array = np.asarray(values, dtype=np.float64)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def int64(self, name, values):
        self.initializers.append(numpy_helper.from_array(np.asarray(values, dtype=np.int64), name))
        return name

    def op(self, op_type, inputs, name=None, outputs=1, **attrs):
        """Adds one node; returns its output name (or names when outputs > 1)."""
        self.count += 1
        base = name or f'{op_type.lower()}_{self.count}'
        names = [base] if outputs == 1 else [f'{base}_{i}' for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, name=f'n{self.count}_{op_type}', **attrs))
        return names[0] if outputs == 1 else names

    def split_columns(self, features):
        """features [N, F] -> F tensors [N, 1]."""
        return self.op('Split', [features, self.int64('split_sizes', [1] * self.width)], name='col', outputs=self.width, axis=1)

    def model(self, graph_name, outputs, doc, metadata):
        inputs = [helper.make_tensor_value_info('features', TensorProto.DOUBLE, ['N', self.width])]
        outs = [helper.make_tensor_value_info(o, TensorProto.DOUBLE, ['N', 1]) for o in outputs]
        graph = helper.make_graph(self.nodes, graph_name, inputs, outs, initializer=self.initializers, doc_string=doc)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)], producer_name=PRODUCER_NAME,
                                  producer_version=PRODUCER_VERSION, ir_version=IR_VERSION, doc_string=doc)
        for key, value in metadata.items():
            entry = model.metadata_props.add()
            entry.key, entry.value = key, value
        onnx.checker.check_model(model, full_check=True)
        return model.SerializeToString(deterministic=True)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def write_model(out, model_id, version, onnx_bytes, card, golden):
    """Writes the four files of one model version; the card gets the file's SHA-256 (as its 5th key)."""
    folder = out / model_id / version
    folder.mkdir(parents=True, exist_ok=True)
    digest = sha256(onnx_bytes)
    ordered = {}
    for key, value in card.items():
        ordered[key] = value
        if key == 'kind':
            ordered['sha256'] = digest
    (folder / 'model.onnx').write_bytes(onnx_bytes)
    (folder / 'model.onnx.sha256').write_text(f'{digest}  model.onnx\n', encoding='utf-8')
    (folder / 'card.json').write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')
    (folder / 'golden.json').write_text(json.dumps(golden, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')


def check_golden(cases, evaluate, label):
    """Every golden case must agree with an independent numpy evaluation of the encoded model within its tolerance."""
    for case in cases:
        got = evaluate(np.asarray([case['features']], dtype=np.float64))
        for output, expected in case['expected'].items():
            value = float(got[output][0])
            if not abs(value - expected) <= case['tolerance'][output]:
                raise SystemExit(f'{label}: golden case "{case["name"]}" {output}: model gives {value!r}, '
                                 f'source says {expected!r} ± {case["tolerance"][output]}')


def case(name, source, features, expected, tolerance):
    return {'name': name, 'source': source, 'features': features, 'expected': expected, 'tolerance': tolerance}


def coding(system, code, display):
    return {'system': system, 'code': code, 'display': display}


def flag_input(name, label, source):
    return {'name': name, 'label': label, 'unit': '1', 'unitLabel': '', 'source': source, 'valid': {'min': 0, 'max': 1},
            'reference': 0, 'decimals': 0}


def patient_age(valid_min, valid_max, reference):
    return {'name': 'age', 'label': 'age', 'unit': 'a', 'unitLabel': 'years', 'source': {'kind': 'patient-age'},
            'valid': {'min': valid_min, 'max': valid_max}, 'reference': reference, 'decimals': 0}


# ---------------------------------------------------------------------------------------------------------------
# 1. ascvd-pce 2013: 10-year ASCVD risk, 2013 ACC/AHA Pooled Cohort Equations
# ---------------------------------------------------------------------------------------------------------------

# Goff DC Jr et al., Circulation 2014;129(suppl 2):S49-S73, Appendix 7 Table A, exactly as printed.
# Term order: ln age, (ln age)^2, ln TC, ln age*ln TC, ln HDL, ln age*ln HDL, ln treated SBP, ln age*ln treated SBP,
# ln untreated SBP, ln age*ln untreated SBP, current smoker, ln age*smoker, diabetes.
PCE_TERMS = ['ln age', '(ln age)^2', 'ln TC', 'ln age x ln TC', 'ln HDL-C', 'ln age x ln HDL-C', 'ln treated SBP',
             'ln age x ln treated SBP', 'ln untreated SBP', 'ln age x ln untreated SBP', 'current smoker',
             'ln age x current smoker', 'diabetes']
PCE_GROUPS = {  # group: (coefficients in PCE_TERMS order, baseline survival S10, mean of individual sums)
    'white women': ([-29.799, 4.884, 13.540, -3.114, -13.578, 3.149, 2.019, 0, 1.957, 0, 7.574, -1.665, 0.661], 0.9665, -29.18),
    'African-American women': ([17.114, 0, 0.940, 0, -18.920, 4.475, 29.291, -6.432, 27.820, -6.087, 0.691, 0, 0.874], 0.9533, 86.61),
    'white men': ([12.344, 0, 11.853, -2.664, -7.990, 1.769, 1.797, 0, 1.764, 0, 7.837, -1.795, 0.658], 0.9144, 61.18),
    'African-American men': ([2.469, 0, 0.302, 0, -0.307, 0, 1.916, 0, 1.809, 0, 0.549, 0, 0.645], 0.8954, 19.54),
}
# The same equations as carried to more digits by several calculators (cerner/ascvd-risk-calculator, the PooledCohort
# R package's Goff_2013 coefficients, the zipnosis ascvd gem). Used only to state, in the card, how far this encoding
# of the printed Table A can be from them; never used by the model.
PCE_MORE_DIGITS = {
    'white women': (None, 0.96652, -29.1817),
    'African-American women': ([17.1141, 0, 0.9396, 0, -18.9196, 4.4748, 29.2907, -6.4321, 27.8197, -6.0873, 0.6908, 0, 0.8738], 0.95334, 86.6081),
    'white men': (None, 0.91436, 61.1816),
    'African-American men': (None, 0.89536, 19.5425),
}

ANTIHYPERTENSIVES = [  # RxNorm SCDs (oral, single ingredient) from the VSAC value sets cited in the card
    ('311353', 'lisinopril 2.5 MG Oral Tablet'), ('311354', 'lisinopril 5 MG Oral Tablet'),
    ('314076', 'lisinopril 10 MG Oral Tablet'), ('314077', 'lisinopril 20 MG Oral Tablet'),
    ('205326', 'lisinopril 30 MG Oral Tablet'), ('197884', 'lisinopril 40 MG Oral Tablet'),
    ('858804', 'enalapril maleate 2.5 MG Oral Tablet'), ('858813', 'enalapril maleate 5 MG Oral Tablet'),
    ('858817', 'enalapril maleate 10 MG Oral Tablet'), ('858810', 'enalapril maleate 20 MG Oral Tablet'),
    ('845488', 'ramipril 1.25 MG Oral Capsule'), ('198188', 'ramipril 2.5 MG Oral Capsule'),
    ('198189', 'ramipril 5 MG Oral Capsule'), ('261962', 'ramipril 10 MG Oral Capsule'),
    ('979485', 'losartan potassium 25 MG Oral Tablet'), ('979492', 'losartan potassium 50 MG Oral Tablet'),
    ('979480', 'losartan potassium 100 MG Oral Tablet'), ('349483', 'valsartan 40 MG Oral Tablet'),
    ('349199', 'valsartan 80 MG Oral Tablet'), ('349201', 'valsartan 160 MG Oral Tablet'),
    ('349200', 'valsartan 320 MG Oral Tablet'), ('349373', 'olmesartan medoxomil 5 MG Oral Tablet'),
    ('349401', 'olmesartan medoxomil 20 MG Oral Tablet'), ('349405', 'olmesartan medoxomil 40 MG Oral Tablet'),
    ('200094', 'irbesartan 75 MG Oral Tablet'), ('200095', 'irbesartan 150 MG Oral Tablet'),
    ('200096', 'irbesartan 300 MG Oral Tablet'), ('153822', 'candesartan cilexetil 4 MG Oral Tablet'),
    ('153823', 'candesartan cilexetil 8 MG Oral Tablet'), ('577776', 'candesartan cilexetil 16 MG Oral Tablet'),
    ('639537', 'candesartan cilexetil 32 MG Oral Tablet'), ('282755', 'telmisartan 20 MG Oral Tablet'),
    ('205304', 'telmisartan 40 MG Oral Tablet'), ('205305', 'telmisartan 80 MG Oral Tablet'),
    ('308136', 'amlodipine 2.5 MG Oral Tablet'), ('197361', 'amlodipine 5 MG Oral Tablet'),
    ('308135', 'amlodipine 10 MG Oral Tablet'), ('198034', '24 HR nifedipine 30 MG Extended Release Oral Tablet'),
    ('198035', '24 HR nifedipine 60 MG Extended Release Oral Tablet'),
    ('198036', '24 HR nifedipine 90 MG Extended Release Oral Tablet'),
    ('866427', '24 HR metoprolol succinate 25 MG Extended Release Oral Tablet'),
    ('866436', '24 HR metoprolol succinate 50 MG Extended Release Oral Tablet'),
    ('866412', '24 HR metoprolol succinate 100 MG Extended Release Oral Tablet'),
    ('866419', '24 HR metoprolol succinate 200 MG Extended Release Oral Tablet'),
    ('866924', 'metoprolol tartrate 25 MG Oral Tablet'), ('866514', 'metoprolol tartrate 50 MG Oral Tablet'),
    ('866511', 'metoprolol tartrate 100 MG Oral Tablet'), ('197380', 'atenolol 25 MG Oral Tablet'),
    ('197381', 'atenolol 50 MG Oral Tablet'), ('197379', 'atenolol 100 MG Oral Tablet'),
    ('686924', 'carvedilol 3.125 MG Oral Tablet'), ('200031', 'carvedilol 6.25 MG Oral Tablet'),
    ('200032', 'carvedilol 12.5 MG Oral Tablet'), ('200033', 'carvedilol 25 MG Oral Tablet'),
    ('429503', 'hydrochlorothiazide 12.5 MG Oral Tablet'), ('199903', 'hydrochlorothiazide 12.5 MG Oral Capsule'),
    ('310798', 'hydrochlorothiazide 25 MG Oral Tablet'), ('197770', 'hydrochlorothiazide 50 MG Oral Tablet'),
    ('197499', 'chlorthalidone 25 MG Oral Tablet'), ('197500', 'chlorthalidone 50 MG Oral Tablet'),
    ('313096', 'spironolactone 25 MG Oral Tablet'), ('198223', 'spironolactone 50 MG Oral Tablet'),
    ('198222', 'spironolactone 100 MG Oral Tablet'), ('310429', 'furosemide 20 MG Oral Tablet'),
    ('313988', 'furosemide 40 MG Oral Tablet'), ('197732', 'furosemide 80 MG Oral Tablet'),
]

RACE_WARNING_PCE = ('Race is recorded neither as Black or African American nor as White, so the equations for white '
                    'adults were used, as the guideline directs for other races; they may over- or underestimate risk '
                    'in other groups.')


def pce_numpy(features, groups=PCE_GROUPS):
    """Plain numpy evaluation of the encoded equations (used to check golden vectors and to compare constants)."""
    age, male, black, tc, hdl, sbp, treated, smoker, diabetes = features.T
    la, lt, lh, ls = np.log(age), np.log(tc), np.log(hdl), np.log(sbp)
    terms = np.stack([la, la * la, lt, la * lt, lh, la * lh, treated * ls, treated * la * ls, (1 - treated) * ls,
                      (1 - treated) * la * ls, smoker, smoker * la, diabetes], axis=1)
    weights = [(1 - male) * (1 - black), (1 - male) * black, male * (1 - black), male * black]
    risk = np.zeros(len(features))
    for weight, (coefficients, s10, mean) in zip(weights, groups.values()):
        risk += weight * (1 - s10 ** np.exp(terms @ np.asarray(coefficients, dtype=np.float64) - mean))
    return {'risk': risk}


def pce_graph():
    g = Graph(9)
    age, male, black, tc, hdl, sbp, treated, smoker, diabetes = g.split_columns('features')
    one = g.const('one', [1.0])
    la, lt = g.op('Log', [age], 'ln_age'), g.op('Log', [tc], 'ln_tc')
    lh, ls = g.op('Log', [hdl], 'ln_hdl'), g.op('Log', [sbp], 'ln_sbp')
    untreated = g.op('Sub', [one, treated], 'untreated')
    treated_ls = g.op('Mul', [treated, ls], 'ln_treated_sbp')
    untreated_ls = g.op('Mul', [untreated, ls], 'ln_untreated_sbp')
    terms = [la, g.op('Mul', [la, la], 'ln_age_sq'), lt, g.op('Mul', [la, lt], 'ln_age_x_ln_tc'), lh,
             g.op('Mul', [la, lh], 'ln_age_x_ln_hdl'), treated_ls, g.op('Mul', [la, treated_ls], 'ln_age_x_ln_treated_sbp'),
             untreated_ls, g.op('Mul', [la, untreated_ls], 'ln_age_x_ln_untreated_sbp'), smoker,
             g.op('Mul', [la, smoker], 'ln_age_x_smoker'), diabetes]
    x = g.op('Concat', terms, 'terms', axis=1)  # [N, 13]
    coefficients = np.asarray([c for c, _, _ in PCE_GROUPS.values()], dtype=np.float64).T  # [13, 4]
    sums = g.op('MatMul', [x, g.const('coefficients', coefficients)], 'individual_sums')  # [N, 4]
    means = g.const('mean_sums', [m for _, _, m in PCE_GROUPS.values()])
    ln_s10 = g.const('ln_baseline_survival', [math.log(s) for _, s, _ in PCE_GROUPS.values()])
    relative = g.op('Exp', [g.op('Sub', [sums, means], 'sum_minus_mean')], 'relative_hazard')
    survival = g.op('Exp', [g.op('Mul', [relative, ln_s10], 'ln_survival')], 'survival')
    group_risk = g.op('Sub', [one, survival], 'group_risk')  # [N, 4]
    female, non_black = g.op('Sub', [one, male], 'female'), g.op('Sub', [one, black], 'non_black')
    weights = g.op('Concat', [g.op('Mul', [female, non_black], 'w_white_women'), g.op('Mul', [female, black], 'w_aa_women'),
                              g.op('Mul', [male, non_black], 'w_white_men'), g.op('Mul', [male, black], 'w_aa_men')],
                   'group_weights', axis=1)
    g.op('ReduceSum', [g.op('Mul', [weights, group_risk], 'weighted_risk'), g.int64('sum_axes', [1])], 'risk', keepdims=1)
    return g.model('ascvd_pce_2013', ['risk'],
                   '2013 ACC/AHA Pooled Cohort Equations (Goff et al. 2014, Table A): 10-year risk of a first hard ASCVD event.',
                   {'model_id': 'ascvd-pce', 'model_version': '2013'})


def max_difference_from_more_digits():
    """Largest |risk(Table A) - risk(more digits)| over a grid of the valid input ranges (both in probability)."""
    groups = {}
    for name, (coefficients, s10, mean) in PCE_GROUPS.items():
        more, more_s10, more_mean = PCE_MORE_DIGITS[name]
        groups[name] = (more or coefficients, more_s10, more_mean)
    axes = [np.arange(40, 80, 3), [0, 1], [0, 1], np.linspace(130, 320, 6), np.linspace(20, 100, 6),
            np.linspace(90, 200, 6), [0, 1], [0, 1], [0, 1]]
    grid = np.stack([a.ravel() for a in np.meshgrid(*axes, indexing='ij')], axis=1).astype(np.float64)
    a, b = pce_numpy(grid)['risk'], pce_numpy(grid, groups)['risk']
    i = int(np.argmax(np.abs(a - b)))
    below_20 = np.abs(a - b)[a < 0.2].max()
    return abs(a[i] - b[i]), a[i], b[i], below_20


def build_ascvd_pce_2013(out):
    goff = ('Goff DC Jr et al. 2013 ACC/AHA Guideline on the Assessment of Cardiovascular Risk. Circulation. '
            '2014;129(25 Suppl 2):S49-S73, Appendix 7 Table A, worked example (55 years, TC 213 mg/dL, HDL-C 50 mg/dL, '
            'untreated SBP 120 mm Hg, nonsmoker, no diabetes); published to 0.1%, hence tolerance 0.0005')
    estimate = ('Independent implementation with the Table A coefficients: R package estimateCVRisk (github.com/DGruen89/'
                'estimateCVRisk, tests/testthat/test_ascvd_acc_aha.R "Paper example is correct", commit 2458b162), which '
                'expects %s%%; published to 0.01%%, hence tolerance 0.00005')
    cvrisk = ('Independent implementation with the Table A coefficients: R package CVrisk (github.com/vcastro/CVrisk, '
              'tests/testthat/test-ascvd_10y_accaha.R, commit 392a705a), which expects %s%% for 55 years, TC 213, '
              'HDL-C 50, untreated SBP 140, nonsmoker, no diabetes; published to 0.01%%, hence tolerance 0.00005')
    cvdm = ('Value computed by running pce(..., risk=10) of the independent Python implementation joyceho/cvdm '
            '(cvdm/score/pce.py at commit 3f46939e, cox_surv from cvdm/score/survModel.py), which transcribes Table A '
            'separately; full double precision, hence tolerance 1e-9')

    def f(age, male, black, tc, hdl, sbp, treated=0, smoker=0, diabetes=0):
        return [age, male, black, tc, hdl, sbp, treated, smoker, diabetes]

    def risk_case(name, source, features, expected, tolerance):
        return case(name, source, features, {'risk': expected}, {'risk': tolerance})

    example = dict(age=55, tc=213, hdl=50, sbp=120)
    cases = [
        risk_case('Goff Table A worked example, white woman (2.1%)', goff, f(male=0, black=0, **example), 0.021, 0.0005),
        risk_case('Goff Table A worked example, African-American woman (3.0%)', goff, f(male=0, black=1, **example), 0.030, 0.0005),
        risk_case('Goff Table A worked example, white man (5.3%)',
                  goff.replace('hence tolerance 0.0005', 'but Table A prints the individual sum rounded to 60.69 before '
                               'exponentiating; the unrounded sum (60.6996) gives 5.38% (estimateCVRisk 5.38, PooledCohort '
                               '5.4), so the tolerance is 0.001 for this one example'),
                  f(male=1, black=0, **example), 0.053, 0.001),
        risk_case('Goff Table A worked example, African-American man (6.1%)', goff, f(male=1, black=1, **example), 0.061, 0.0005),
        risk_case('estimateCVRisk, worked example, white woman (2.05%)', estimate % '2.05', f(male=0, black=0, **example), 0.0205, 0.00005),
        risk_case('estimateCVRisk, worked example, African-American woman (3.03%)', estimate % '3.03', f(male=0, black=1, **example), 0.0303, 0.00005),
        risk_case('estimateCVRisk, worked example, white man (5.38%)', estimate % '5.38', f(male=1, black=0, **example), 0.0538, 0.00005),
        risk_case('estimateCVRisk, worked example, African-American man (6.07%)', estimate % '6.07', f(male=1, black=1, **example), 0.0607, 0.00005),
        risk_case('CVrisk, SBP 140, white woman (2.76%)', cvrisk % '2.76', f(55, 0, 0, 213, 50, 140), 0.0276, 0.00005),
        risk_case('CVrisk, SBP 140, African-American woman (5.08%)', cvrisk % '5.08', f(55, 0, 1, 213, 50, 140), 0.0508, 0.00005),
        risk_case('CVrisk, SBP 140, white man (7.01%)', cvrisk % '7.01', f(55, 1, 0, 213, 50, 140), 0.0701, 0.00005),
        risk_case('CVrisk, SBP 140, African-American man (7.95%)', cvrisk % '7.95', f(55, 1, 1, 213, 50, 140), 0.0795, 0.00005),
        risk_case('CVrisk, treated SBP 125, white woman 45 years (1.22%)',
                  'Independent implementation with the Table A coefficients: R package CVrisk (github.com/vcastro/CVrisk, '
                  'tests/testthat/test-compute_CVrisk.R, commit 0633c42d), which expects 1.22% for a white woman of 45, '
                  'TC 200, HDL-C 50, treated SBP 125, nonsmoker, no diabetes; published to 0.01%, hence tolerance 0.00005',
                  f(45, 0, 0, 200, 50, 125, treated=1), 0.0122, 0.00005),
        risk_case('PooledCohort, smoker, white man (10.0%)',
                  'Independent implementation: R package PooledCohort (github.com/bcjaeger/PooledCohort, '
                  'tests/testthat/test-predict_ascvd_risk.R "Goff supplement examples (with smoker = yes)", commit '
                  '390163ec), which expects 10.0% for the worked-example profile as a current smoker; PooledCohort carries '
                  'the baseline survival and mean to more digits (0.91436, 61.1816), which moves this case by 0.0001; '
                  'published to 0.1%, hence tolerance 0.0005',
                  f(55, 1, 0, 213, 50, 120, smoker=1), 0.100, 0.0005),
        risk_case('cvdm, boundary age 40, white woman', cvdm, f(40, 0, 0, 170, 50, 110), 0.0037057247125051873, 1e-9),
        risk_case('cvdm, boundary age 40, African-American woman', cvdm, f(40, 0, 1, 170, 50, 110), 0.002719081757768471, 1e-9),
        risk_case('cvdm, boundary age 40, white man', cvdm, f(40, 1, 0, 170, 50, 110), 0.006133512531766971, 1e-9),
        risk_case('cvdm, boundary age 40, African-American man', cvdm, f(40, 1, 1, 170, 50, 110), 0.022523091842891696, 1e-9),
        risk_case('cvdm, boundary age 79, white woman, treated SBP, smoker, diabetes', cvdm,
                  f(79, 0, 0, 200, 45, 150, treated=1, smoker=1, diabetes=1), 0.7252120591658813, 1e-9),
        risk_case('cvdm, boundary age 79, African-American woman, diabetes', cvdm,
                  f(79, 0, 1, 240, 60, 130, diabetes=1), 0.5236391072211323, 1e-9),
        risk_case('cvdm, boundary age 79, white man, treated SBP, diabetes', cvdm,
                  f(79, 1, 0, 180, 40, 160, treated=1, diabetes=1), 0.7284543980391602, 1e-9),
        risk_case('cvdm, boundary age 79, African-American man, treated SBP, smoker, diabetes', cvdm,
                  f(79, 1, 1, 300, 35, 180, treated=1, smoker=1, diabetes=1), 0.8967499020751344, 1e-9),
        risk_case('cvdm, treated SBP, African-American woman 60', cvdm, f(60, 0, 1, 200, 45, 150, treated=1), 0.11938615818437992, 1e-9),
        risk_case('cvdm, treated SBP, African-American man 50', cvdm, f(50, 1, 1, 190, 55, 135, treated=1), 0.09260325472136488, 1e-9),
        risk_case('cvdm, treated SBP, white man 65', cvdm, f(65, 1, 0, 230, 38, 145, treated=1), 0.23008843682423252, 1e-9),
        risk_case('cvdm, smoker, white woman 50', cvdm, f(50, 0, 0, 220, 40, 125, smoker=1), 0.05675985690747476, 1e-9),
        risk_case('cvdm, smoker, African-American woman 65', cvdm, f(65, 0, 1, 180, 55, 140, smoker=1), 0.1691536200485788, 1e-9),
        risk_case('cvdm, smoker, African-American man 55', cvdm, f(55, 1, 1, 250, 45, 130, smoker=1), 0.12710202962008355, 1e-9),
        risk_case('cvdm, diabetes, white woman 60', cvdm, f(60, 0, 0, 150, 65, 120, diabetes=1), 0.03984930147230581, 1e-9),
        risk_case('cvdm, diabetes, African-American woman 60', cvdm, f(60, 0, 1, 150, 65, 120, diabetes=1), 0.07033558675022811, 1e-9),
        risk_case('cvdm, diabetes, white man 60', cvdm, f(60, 1, 0, 150, 65, 120, diabetes=1), 0.09269021874531547, 1e-9),
        risk_case('cvdm, diabetes, African-American man 60', cvdm, f(60, 1, 1, 150, 65, 120, diabetes=1), 0.11561428211672664, 1e-9),
    ]
    check_golden(cases, pce_numpy, 'ascvd-pce 2013')
    worst, at_a, at_b, below_20 = max_difference_from_more_digits()
    reference_risk = float(pce_numpy(np.asarray([f(male=0, black=0, **example)], dtype=np.float64))['risk'][0])

    def quantity(name, label, unit, unit_label, codes, panels, component, lookback, valid, reference):
        source = {'kind': 'observation-quantity', 'codes': codes, 'panels': panels}
        if component:
            source['component'] = component
        source.update({'lookbackDays': lookback, 'aggregation': 'most-recent'})
        return {'name': name, 'label': label, 'unit': unit, 'unitLabel': unit_label, 'source': source,
                'valid': {'min': valid[0], 'max': valid[1]}, 'reference': reference, 'decimals': 0}

    sbp = coding(LOINC, '8480-6', 'Systolic blood pressure')
    inputs = [
        patient_age(40, 79, 55),
        flag_input('male', 'male sex', {'kind': 'patient-gender', 'map': {'male': 1, 'female': 0}}),
        flag_input('black', 'Black or African American race',
                   {'kind': 'patient-race', 'map': {'2054-5': 1, '2106-3': 0}, 'otherwise': 0, 'otherwiseWarning': RACE_WARNING_PCE}),
        quantity('totalCholesterol', 'total cholesterol', 'mg/dL', 'mg/dL',
                 [{**coding(LOINC, '2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma'), 'unit': 'mg/dL', 'factor': 1},
                  {**coding(LOINC, '14647-2', 'Cholesterol [Moles/volume] in Serum or Plasma'), 'unit': 'mmol/L', 'factor': 38.67}],
                 [], None, 730, (130, 320), 213),
        quantity('hdlCholesterol', 'HDL cholesterol', 'mg/dL', 'mg/dL',
                 [{**coding(LOINC, '2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma'), 'unit': 'mg/dL', 'factor': 1},
                  {**coding(LOINC, '14646-4', 'Cholesterol in HDL [Moles/volume] in Serum or Plasma'), 'unit': 'mmol/L', 'factor': 38.67}],
                 [], None, 730, (20, 100), 50),
        quantity('systolicBp', 'systolic blood pressure', 'mm[Hg]', 'mmHg',
                 [{**sbp, 'unit': 'mm[Hg]', 'factor': 1}],
                 [coding(LOINC, '85354-9', 'Blood pressure panel with all children optional')], sbp, 365, (90, 200), 120),
        flag_input('bpTreated', 'on blood-pressure-lowering medication',
                   {'kind': 'medication-active', 'codes': [coding(RXNORM, c, d) for c, d in ANTIHYPERTENSIVES]}),
        flag_input('smoker', 'current smoker',
                   {'kind': 'observation-coded', 'codes': [coding(LOINC, '72166-2', 'Tobacco smoking status')],
                    'answers': [{**coding(SNOMED, '449868002', 'Smokes tobacco daily'), 'value': 1},
                                {**coding(SNOMED, '428041000124106', 'Occasional tobacco smoker'), 'value': 1},
                                {**coding(SNOMED, '428071000124103', 'Current Heavy tobacco smoker'), 'value': 1},
                                {**coding(SNOMED, '428061000124105', 'Current Light tobacco smoker'), 'value': 1},
                                {**coding(SNOMED, '77176002', 'Smoker'), 'value': 1},
                                {**coding(SNOMED, '65568007', 'Cigarette smoker'), 'value': 1},
                                {**coding(SNOMED, '8517006', 'Ex-smoker'), 'value': 0},
                                {**coding(SNOMED, '266919005', 'Never smoked tobacco'), 'value': 0}],
                    'lookbackDays': 730, 'aggregation': 'most-recent'}),
        flag_input('diabetes', 'diabetes',
                   {'kind': 'condition-present', 'codes': [coding(SNOMED, '44054006', 'Diabetes mellitus type 2'),
                                                           coding(SNOMED, '46635009', 'Diabetes mellitus type 1'),
                                                           coding(SNOMED, '73211009', 'Diabetes mellitus')]}),
    ]
    table = '; '.join(
        f'{group}: ' + ', '.join(f'{term} {c:.3f}' for term, c in zip(PCE_TERMS, coefficients) if c != 0)
        + f', baseline survival S10 {s10}, mean of individual sums {mean}'
        for group, (coefficients, s10, mean) in PCE_GROUPS.items())
    card = {
        'id': 'ascvd-pce',
        'version': '2013',
        'title': '10-year ASCVD risk: 2013 ACC/AHA Pooled Cohort Equations',
        'kind': 'published-equation',
        'intendedUse': (
            'Estimates the 10-year risk of a first hard atherosclerotic cardiovascular disease (ASCVD) event (nonfatal '
            'myocardial infarction, coronary heart disease death, fatal or nonfatal stroke) for primary prevention, to '
            'support the clinician-patient risk discussion the ACC/AHA guidelines recommend before starting or '
            'intensifying statin or blood-pressure treatment (2013 ACC/AHA risk assessment guideline; 2018 AHA/ACC '
            'cholesterol guideline risk categories: <5% low, 5 to <7.5% borderline, 7.5 to <20% intermediate, >=20% high). '
            'Decision support for a clinician, not a diagnosis: risk enhancers, coronary artery calcium and patient '
            'preference are weighed alongside it. Not for people who already have clinical ASCVD (myocardial infarction, '
            'stroke or TIA, angina, coronary or other arterial revascularization, peripheral artery disease), nor for '
            'LDL-C >= 190 mg/dL or familial hypercholesterolemia, who are treated without a risk estimate.'),
        'population': (
            'Adults aged 40 to 79 years without clinical ASCVD, with total cholesterol 130-320 mg/dL, HDL-C 20-100 mg/dL '
            'and systolic blood pressure 90-200 mm Hg (the ranges of the ACC/AHA risk estimator; values outside them are '
            'refused, never extrapolated). The equations were derived in pooled community cohorts of non-Hispanic white '
            'and African-American men and women: ARIC, the Cardiovascular Health Study, CARDIA and the Framingham '
            'original and offspring cohorts (baseline examinations from 1968 to the 1990s, 10-year follow-up). '
            'For people of other races and ethnicities the guideline directs use of the white equations, with known '
            'miscalibration (see fairness).'),
        'inputs': inputs,
        'outputs': [{
            'name': 'risk', 'label': '10-year ASCVD risk', 'scale': 100, 'unitLabel': '%', 'pointsLabel': 'percentage points',
            'decimals': 1,
            'meaning': ('probability of a first hard ASCVD event (nonfatal myocardial infarction, coronary heart disease '
                        'death, fatal or nonfatal stroke) within 10 years'),
            'bands': [{'from': 0, 'label': 'low'}, {'from': 5, 'label': 'borderline'},
                      {'from': 7.5, 'label': 'intermediate'}, {'from': 20, 'label': 'high'}],
        }],
        'outcome': coding(OUTCOME_SYSTEM, 'ascvd-10y', 'First hard ASCVD event within 10 years'),
        'provenance': (
            'Published equation, encoded from the coefficients printed in Goff et al. 2014, Appendix 7 Table A (no '
            'training, no fitted parameters here). For each of the four sex and race groups, risk = 1 - S10^exp(sum - '
            'mean), where sum is the individual sum of coefficient x term. Coefficients as printed: ' + table + '. '
            'Treated or untreated SBP selects the coefficient pair (a treated patient contributes ln SBP to the treated '
            'terms only). The ONNX graph evaluates all four group equations and mixes them with the 0/1 flags: '
            '(1-male)(1-black) R_white women + (1-male) black R_AA women + male (1-black) R_white men + male black '
            'R_AA men, which is exact for 0/1 inputs (intermediate values are never given: the flags are validated to '
            '0..1 with 0 decimals). S10^x is computed as exp(x ln S10) in double precision. Several calculators carry '
            'the African-American women coefficients, every baseline survival and every mean to more digits than Table '
            'A prints (for example S10 0.91436 and mean 61.1816 for white men, as in cerner/ascvd-risk-calculator and the '
            'PooledCohort R package); this model uses the printed values, and over a grid of the valid input ranges the '
            f'two differ by at most {100 * worst:.2f} percentage points (at a predicted {100 * at_a:.1f}% vs '
            f'{100 * at_b:.1f}%) and by at most {100 * below_20:.2f} points where this model predicts below 20%. '
            'Feature definitions: age in whole years at the diagnosis time; cholesterol in mg/dL (mmol/L x 38.67); '
            'systolic blood pressure from an Observation 8480-6 or the 8480-6 component of a blood pressure panel; '
            'treated when an active MedicationRequest or MedicationStatement names an RxNorm product of the listed '
            'antihypertensive and diuretic drugs (oral single-ingredient products from the VSAC value sets '
            '"Antihypertensives" 2.16.840.1.113762.1.4.1248.164 and "Diuretics" 2.16.840.1.113762.1.4.1248.170, eCQM '
            'expansion 2025-05-08); current smoker from the most recent LOINC 72166-2 answer within 2 years (former '
            'smokers count as nonsmokers, as in the derivation); diabetes from an active confirmed Condition.'),
        'references': [
            'Goff DC Jr, Lloyd-Jones DM, Bennett G, Coady S, D\'Agostino RB Sr, Gibbons R, et al. 2013 ACC/AHA Guideline on '
            'the Assessment of Cardiovascular Risk: a report of the American College of Cardiology/American Heart '
            'Association Task Force on Practice Guidelines. Circulation. 2014;129(25 Suppl 2):S49-S73. '
            'doi:10.1161/01.cir.0000437741.48606.98',
            'Grundy SM, Stone NJ, Bailey AL, et al. 2018 AHA/ACC/AACVPR/AAPA/ABC/ACPM/ADA/AGS/APhA/ASPC/NLA/PCNA Guideline '
            'on the Management of Blood Cholesterol. Circulation. 2019;139(25):e1082-e1143. doi:10.1161/CIR.0000000000000625',
            'Arnett DK, Blumenthal RS, Albert MA, et al. 2019 ACC/AHA Guideline on the Primary Prevention of '
            'Cardiovascular Disease. Circulation. 2019;140(11):e596-e646. doi:10.1161/CIR.0000000000000678',
            'Muntner P, Colantonio LD, Cushman M, et al. Validation of the atherosclerotic cardiovascular disease Pooled '
            'Cohort risk equations. JAMA. 2014;311(14):1406-1415. doi:10.1001/jama.2014.2630',
            'DeFilippis AP, Young R, Carrubba CJ, et al. An analysis of calibration and discrimination among multiple '
            'cardiovascular risk scores in a modern multiethnic cohort. Ann Intern Med. 2015;162(4):266-275. '
            'doi:10.7326/M14-1281',
            'Yadlowsky S, Hayward RA, Sussman JB, McClelland RL, Min YI, Basu S. Clinical implications of revised pooled '
            'cohort equations for estimating atherosclerotic cardiovascular disease risk. Ann Intern Med. '
            '2018;169(1):20-29. doi:10.7326/M17-3011',
            'Khan SS, Matsushita K, Sang Y, et al. Development and validation of the American Heart Association\'s '
            'PREVENT equations. Circulation. 2024;149(6):430-449. doi:10.1161/CIRCULATIONAHA.123.067626',
        ],
        'validation': (
            f'Golden vectors ({len(cases)} cases, golden.json) run through the ONNX file in onnxruntime: the four '
            'published worked examples of Table A (white women 2.1%, African-American women 3.0%, white men 5.3%, '
            'African-American men 6.1%; tolerance 0.0005 since they are printed to 0.1%, except white men: Table A '
            'rounds that example\'s individual sum to 60.69 before exponentiating, and the unrounded equation gives '
            '5.38%, as two independent implementations also report, so that case allows 0.001); the same four profiles '
            'to 0.01% from the estimateCVRisk R package; four SBP-140 profiles and a treated-SBP profile to 0.01% from the '
            'CVrisk R package; a current-smoker example from the PooledCohort R package; and 17 profiles computed by '
            'running the independent joyceho/cvdm Python implementation (boundary ages 40 and 79 in every group, treated '
            'SBP, smokers, diabetes). Clinical performance as published: in the derivation cohorts the C statistics were '
            'about 0.71 to 0.82 across the four groups (Goff et al.). In external cohorts calibration varies: adequate in '
            'REGARDS where outcomes were fully ascertained (Muntner et al. 2014), while several contemporary cohorts found '
            'that the equations overestimate risk, in some groups substantially (DeFilippis et al. 2015, MESA; Yadlowsky '
            'et al. 2018). This deployment has not been validated against local outcomes.'),
        'fairness': (
            'Race is an input: separate equations exist only for white and African-American adults, and the estimate for '
            'the same measured risk factors differs between them. Race is read from the US Core race extension '
            '(self-reported OMB categories 2054-5 Black or African American and 2106-3 White); any other or missing category '
            'uses the white equations, as the guideline directs, and the clinician is told so (no silent default). For East Asian and '
            'Hispanic adults these equations tend to overestimate, and for South Asian adults they may underestimate '
            'risk; the guideline lists South Asian ancestry as a risk enhancer. Race is a social category, not a '
            'biological variable; its coefficients stand in for unmeasured social and structural factors, and the '
            'explanation will attribute part of a Black patient\'s estimate to race relative to the white-female '
            'reference: read that attribution as a property of the equations, not of the patient. Sex is read from '
            'Patient.gender (male/female only); other or unknown values are refused rather than guessed, so the model '
            'cannot serve those patients. The AHA PREVENT equations (Khan et al. 2024) remove race and add kidney '
            'function; they are a different model and would be a new model id, not a version of this one.'),
        'limitations': [
            'Valid only for ages 40-79, TC 130-320 mg/dL, HDL-C 20-100 mg/dL and SBP 90-200 mm Hg; values outside are refused.',
            'Derived in cohorts whose baselines date from 1968 to the 1990s; contemporary populations with lower event '
            'rates may have lower risk than predicted.',
            'Not for secondary prevention (established ASCVD) or for LDL-C >= 190 mg/dL; these exclusions are not checked '
            'by the model and must be checked by the clinician.',
            'Treated SBP is detected from an active order or statement for a listed drug; the drug may have been '
            'prescribed for another reason (for example furosemide for heart failure or metoprolol for atrial '
            'fibrillation), and products not on the list (other strengths, combinations, brands) are not recognized, '
            'so an untreated result should be confirmed.',
            'Current smoking uses the most recent tobacco smoking status within 2 years; an answer not in the list '
            '(for example unknown status) means the input is missing and the model does not run.',
            'A single most-recent cholesterol and blood pressure value is used; one elevated reading can overstate risk.',
            f'The printed Table A coefficients are used; calculators that carry more digits can differ by up to '
            f'{100 * below_20:.2f} percentage points where the risk is below 20% (see provenance).',
            'Does not include family history, lipoprotein(a), coronary artery calcium, chronic kidney disease or other '
            'risk enhancers that the guidelines ask clinicians to consider.',
        ],
        'explanation': {
            'reference': (
                'The reference profile is the published worked example of Goff et al. 2014 Table A: a 55-year-old white '
                'woman, total cholesterol 213 mg/dL, HDL-C 50 mg/dL, untreated systolic blood pressure 120 mm Hg, '
                f'nonsmoker, without diabetes (this model: {100 * reference_risk:.2f}%, published 2.1%). Attributions show '
                'how much each of the patient\'s values moves the risk away from that example; because the example is '
                'female and white, male sex and Black race appear as attributions of their own.'),
        },
    }
    write_model(out, 'ascvd-pce', '2013', pce_graph(), card, {'cases': cases})


# ---------------------------------------------------------------------------------------------------------------
# 2. egfr-ckd-epi 2009 and 2021: CKD-EPI creatinine equations
# ---------------------------------------------------------------------------------------------------------------

UMOL_TO_MG_DL = 1 / 88.4  # KDIGO conversion (creatinine 1 mg/dL = 88.4 umol/L); the same double JavaScript computes
KDIGO_BANDS = [{'from': 0, 'label': 'G5 kidney failure'}, {'from': 15, 'label': 'G4 severely decreased'},
               {'from': 30, 'label': 'G3b moderately to severely decreased'},
               {'from': 45, 'label': 'G3a mildly to moderately decreased'}, {'from': 60, 'label': 'G2 mildly decreased'},
               {'from': 90, 'label': 'G1 normal or high'}]
STAGE_THRESHOLDS = [90, 60, 45, 30, 15]
EGFR_2009 = {'constant': 141, 'alpha_female': -0.329, 'alpha_male': -0.411, 'beta': -1.209, 'age_base': 0.993,
             'female_factor': 1.018, 'black_factor': 1.159}
EGFR_2021 = {'constant': 142, 'alpha_female': -0.241, 'alpha_male': -0.302, 'beta': -1.200, 'age_base': 0.9938,
             'female_factor': 1.012, 'black_factor': None}


def stage_of(egfr):
    """KDIGO G category 1..6 (G1, G2, G3a, G3b, G4, G5) of the eGFR as reported (rounded half up to a whole number)."""
    reported = np.floor(np.asarray(egfr, dtype=np.float64) + 0.5)
    return 1 + sum((reported < t).astype(np.float64) for t in STAGE_THRESHOLDS)


def egfr_numpy(p):
    def evaluate(features):
        scr, age, female = features[:, 0], features[:, 1], features[:, 2]
        black = features[:, 3] if p['black_factor'] else np.zeros(len(features))
        kappa = np.where(female == 1, 0.7, 0.9)
        alpha = np.where(female == 1, p['alpha_female'], p['alpha_male'])
        ratio = scr / kappa
        egfr = (p['constant'] * np.minimum(ratio, 1) ** alpha * np.maximum(ratio, 1) ** p['beta'] * p['age_base'] ** age
                * np.where(female == 1, p['female_factor'], 1.0) * np.where(black == 1, p['black_factor'] or 1.0, 1.0))
        return {'egfr': egfr, 'stage': stage_of(egfr)}
    return evaluate


def egfr_graph(p, name, version):
    """eGFR and its KDIGO stage. Sex (and race) enter as exact 0/1 mixtures: female*a + (1-female)*b."""
    g = Graph(4 if p['black_factor'] else 3)
    columns = g.split_columns('features')
    scr, age, female = columns[0], columns[1], columns[2]
    one = g.const('one', [1.0])
    male = g.op('Sub', [one, female], 'male')

    def by_sex(label, female_value, male_value):
        return g.op('Add', [g.op('Mul', [female, g.const(f'{label}_female', [female_value])], f'{label}_if_female'),
                            g.op('Mul', [male, g.const(f'{label}_male', [male_value])], f'{label}_if_male')], label)

    ratio = g.op('Div', [scr, by_sex('kappa', 0.7, 0.9)], 'scr_over_kappa')
    low = g.op('Pow', [g.op('Min', [ratio, one], 'min_ratio_1'), by_sex('alpha', p['alpha_female'], p['alpha_male'])], 'min_term')
    high = g.op('Pow', [g.op('Max', [ratio, one], 'max_ratio_1'), g.const('beta', [p['beta']])], 'max_term')
    age_term = g.op('Pow', [g.const('age_base', [p['age_base']]), age], 'age_term')
    egfr = g.op('Mul', [g.const('constant', [p['constant']]), low], 'constant_x_min')
    egfr = g.op('Mul', [egfr, high], 'x_max')
    egfr = g.op('Mul', [egfr, age_term], 'x_age')
    last = 'egfr' if not p['black_factor'] else 'x_sex'
    egfr = g.op('Mul', [egfr, by_sex('sex_factor', p['female_factor'], 1.0)], last)
    if p['black_factor']:
        black = columns[3]
        race = g.op('Add', [g.op('Mul', [black, g.const('black_factor', [p['black_factor']])], 'race_if_black'),
                            g.op('Sub', [one, black], 'race_if_not_black')], 'race_factor')
        egfr = g.op('Mul', [egfr, race], 'egfr')
    reported = g.op('Floor', [g.op('Add', [egfr, g.const('half', [0.5])], 'egfr_plus_half')], 'egfr_reported')
    stage = one
    for t in STAGE_THRESHOLDS:
        below = g.op('Cast', [g.op('Less', [reported, g.const(f'threshold_{t}', [float(t)])], f'below_{t}')],
                     f'below_{t}_as_double', to=TensorProto.DOUBLE)
        stage = g.op('Add', [stage, below], 'stage' if t == STAGE_THRESHOLDS[-1] else f'stage_after_{t}')
    return g.model(name, ['egfr', 'stage'],
                   f'CKD-EPI creatinine equation {version}: eGFR (mL/min/1.73 m2) and its KDIGO G category (1..6).',
                   {'model_id': 'egfr-ckd-epi', 'model_version': version})


def egfr_inputs(with_race):
    creatinine = {
        'name': 'creatinine', 'label': 'serum creatinine', 'unit': 'mg/dL', 'unitLabel': 'mg/dL',
        'source': {'kind': 'observation-quantity',
                   'codes': [{**coding(LOINC, '2160-0', 'Creatinine [Mass/volume] in Serum or Plasma'), 'unit': 'mg/dL', 'factor': 1},
                             {**coding(LOINC, '14682-9', 'Creatinine [Moles/volume] in Serum or Plasma'), 'unit': 'umol/L',
                              'factor': UMOL_TO_MG_DL}],
                   'panels': [], 'lookbackDays': 365, 'aggregation': 'most-recent'},
        'valid': {'min': 0.2, 'max': 15}, 'reference': 1.0, 'decimals': 2}
    inputs = [creatinine, patient_age(18, 110, 50),
              flag_input('female', 'female sex', {'kind': 'patient-gender', 'map': {'female': 1, 'male': 0}})]
    if with_race:
        inputs.append(flag_input('black', 'Black race (CKD-EPI 2009 coefficient)', {
            'kind': 'patient-race', 'map': {'2054-5': 1, '2106-3': 0}, 'otherwise': 0,
            'otherwiseWarning': ('Race is recorded neither as Black or African American nor as White, so CKD-EPI 2009 was computed '
                                 'without its race coefficient (x1.159). That coefficient is the reason the race-free '
                                 'CKD-EPI 2021 refit exists; prefer the 2021 version, which does not use race.')}))
    return inputs


def egfr_outputs():
    return [
        {'name': 'egfr', 'label': 'eGFR', 'scale': 1, 'unitLabel': 'mL/min/1.73m2', 'pointsLabel': 'mL/min/1.73m2',
         'decimals': 0, 'meaning': ('estimated glomerular filtration rate, indexed to 1.73 m2 body surface area, '
                                    'from serum creatinine, age and sex'), 'bands': KDIGO_BANDS},
        {'name': 'stage', 'label': 'KDIGO GFR category', 'scale': 1, 'unitLabel': '', 'pointsLabel': 'categories',
         'decimals': 0, 'meaning': ('KDIGO 2012 GFR category of the eGFR as reported (rounded to a whole number): '
                                    '1 G1 (>=90), 2 G2 (60-89), 3 G3a (45-59), 4 G3b (30-44), 5 G4 (15-29), 6 G5 (<15)'),
         'categories': {'1': 'G1', '2': 'G2', '3': 'G3a', '4': 'G3b', '5': 'G4', '6': 'G5'}},
    ]


def egfr_case(name, source, features, egfr, tolerance):
    """A golden eGFR case; its stage is the KDIGO category of the source's value (checked against the model too)."""
    return case(name, source, features, {'egfr': egfr, 'stage': float(stage_of(egfr))}, {'egfr': tolerance, 'stage': 0})


EGFR_COMMON_LIMITATIONS = [
    'Creatinine must come from an IDMS-traceable (standardized) assay; the equations were developed with '
    'standardized creatinine.',
    'Not valid when creatinine is not in steady state (acute kidney injury, dialysis, rapidly changing function) '
    'or when creatinine generation is unusual: very high or low muscle mass, amputation, malnutrition, vegetarian or '
    'high-meat diets, creatine supplements, drugs that block tubular secretion (for example trimethoprim, cimetidine).',
    'Indexed to 1.73 m2; for drug dosing in very large or small patients the un-indexed GFR may be needed.',
    'Adults only (18 years and older): children need pediatric equations. Not validated in pregnancy.',
    'Creatinine is read from the most recent result within 365 days; an older result makes the input missing. '
    'A result in umol/L is converted with 1 mg/dL = 88.4 umol/L.',
    'The GFR category alone does not stage CKD: KDIGO staging also needs albuminuria and >3 months duration.',
    'Valid input ranges: creatinine 0.2-15 mg/dL, age 18-110 years; values outside are refused.',
]


def egfr_card(version, cases, p):
    is_2009 = version == '2009'
    equation = (f"eGFR = {p['constant']} x min(Scr/k, 1)^a x max(Scr/k, 1)^{p['beta']} x {p['age_base']}^Age x "
                f"{p['female_factor']} [if female]" + (f" x {p['black_factor']} [if Black]" if is_2009 else '')
                + f", Scr in mg/dL, k = 0.7 (female) or 0.9 (male), a = {p['alpha_female']} (female) or {p['alpha_male']} (male)")
    stage_note = ('The stage output is the KDIGO 2012 GFR category computed in the graph from the eGFR rounded half up '
                  'to a whole number (as it is displayed), with thresholds 90, 60, 45, 30 and 15, so the shown eGFR and '
                  'its category always agree (an eGFR of 59.6 is shown as 60 and categorized G2).')
    reference = ('The reference profile is a 50-year-old non-Black man with serum creatinine 1.0 mg/dL '
                 if is_2009 else 'The reference profile is a 50-year-old man with serum creatinine 1.0 mg/dL ')
    ref_value = float(egfr_numpy(p)(np.asarray([[1.0, 50, 0, 0][:4 if is_2009 else 3]], dtype=np.float64))['egfr'][0])
    return {
        'id': 'egfr-ckd-epi',
        'version': version,
        'title': f'eGFR: CKD-EPI creatinine equation {version}' + (' (with race coefficient)' if is_2009 else ' (race-free refit)'),
        'kind': 'published-equation',
        'intendedUse': (
            'Estimates glomerular filtration rate from a standardized serum creatinine, '
            + ('age, sex and race' if is_2009 else 'age and sex') + ' in adults, to detect and stage reduced kidney function (KDIGO G '
            'categories), to monitor it over time and to support drug-dosing and referral decisions. Decision support for '
            'a clinician; it does not diagnose CKD on its own (that needs duration and albuminuria).'
            + (' Kept for comparison with results reported before 2021 and for research; the 2021 version is recommended '
               'for clinical use in the United States (NKF-ASN Task Force 2021).' if is_2009 else
               ' Recommended for clinical use in the United States by the NKF-ASN Task Force (2021).')),
        'population': (
            'Adults aged 18 and older with stable kidney function and an IDMS-traceable serum creatinine (0.2-15 mg/dL '
            'accepted). ' + (
                'Derived by the CKD Epidemiology Collaboration in 8254 participants of 10 studies with measured GFR '
                '(iothalamate clearance) and validated in 3896 participants of 16 other studies; participants were mostly '
                'white or Black (Levey et al. 2009).' if is_2009 else
                'Refit by the CKD Epidemiology Collaboration without race in the development data of the 2009 equation '
                '(8254 participants with measured GFR in 10 studies, 31.5% Black) and validated in 4050 participants of '
                '12 other studies (Inker et al. 2021).')),
        'inputs': egfr_inputs(is_2009),
        'outputs': egfr_outputs(),
        'outcome': coding(OUTCOME_SYSTEM, 'egfr', 'Estimated glomerular filtration rate'),
        'provenance': (
            'Published equation, encoded from the coefficients of ' + (
                'Levey et al. 2009 (Ann Intern Med 2009;150:604-612): ' if is_2009 else
                'Inker et al. 2021 (N Engl J Med 2021;385:1737-1749): ') + equation + '. '
            'No training or fitted parameters here. In the ONNX graph sex' + (' and race' if is_2009 else '') + ' enter '
            'as exact 0/1 mixtures (k = 0.7 female + 0.9 (1 - female), and likewise for a and the sex factor), so a '
            'flag selects a published constant exactly; powers are evaluated in double precision. '
            + stage_note + ' A creatinine result in umol/L (LOINC 14682-9) is converted to mg/dL with the KDIGO '
            'factor 1/88.4.'),
        'references': ([
            'Levey AS, Stevens LA, Schmid CH, Zhang YL, Castro AF 3rd, Feldman HI, et al. A new equation to estimate '
            'glomerular filtration rate. Ann Intern Med. 2009;150(9):604-612. doi:10.7326/0003-4819-150-9-200905050-00006',
        ] if is_2009 else []) + [
            'Inker LA, Eneanya ND, Coresh J, Tighiouart H, Wang D, Sang Y, et al. New creatinine- and cystatin C-based '
            'equations to estimate GFR without race. N Engl J Med. 2021;385(19):1737-1749. doi:10.1056/NEJMoa2102953',
            'Delgado C, Baweja M, Crews DC, Eneanya ND, Gadegbeku CA, Inker LA, et al. A unifying approach for GFR '
            'estimation: recommendations of the NKF-ASN Task Force on Reassessing the Inclusion of Race in Diagnosing '
            'Kidney Disease. Am J Kidney Dis. 2022;79(2):268-288.e1. doi:10.1053/j.ajkd.2021.08.003',
            'Kidney Disease: Improving Global Outcomes (KDIGO) CKD Work Group. KDIGO 2012 Clinical Practice Guideline for '
            'the Evaluation and Management of Chronic Kidney Disease. Kidney Int Suppl. 2013;3(1):1-150.',
        ],
        'validation': (
            f'Golden vectors ({len(cases)} cases, golden.json) run through the ONNX file in onnxruntime, each with the '
            'KDIGO category of its expected eGFR: ' + (
                'eight results of the NKF eGFR calculator as recorded in the SCREAM R package tests (whole numbers, both '
                'sexes, creatinine below and above k); eight cases of the epocakir R package tests (both sexes, both sides '
                'of k, Black and non-Black); two outputs from the kidney.epi R package documentation; and five cases from '
                'the sex-, race- and creatinine-specific forms printed in Levey et al. 2009 Table 2 (whose leading '
                'constants are rounded, e.g. 166 for 141 x 1.018 x 1.159, hence a 0.4% tolerance), covering every G '
                'category. Published performance (external validation, Levey et al. 2009): median bias (measured '
                'minus estimated GFR) 2.5 mL/min/1.73 m2, 84.1% of estimates within 30% of measured GFR (P30), better than MDRD at GFR above 60.'
                if is_2009 else
                'four results of the NKF eGFR calculator recorded in the ml4oncology test suite (whole numbers, '
                'creatinine in umol/L converted with 1/88.4); one output from the kidney.epi R package documentation; '
                'and three cases evaluated by hand from the published formula to cover creatinine below k for both sexes '
                'and the G5 category (no independently published value was found for these; they guard the min() '
                'branch and the stage thresholds). Published performance (validation data set, Inker et al. 2021): '
                'median bias (measured minus estimated GFR) 3.6 mL/min/1.73 m2 in Black and -3.9 in non-Black '
                'participants, i.e. a slight underestimate and overestimate respectively, a smaller difference between '
                'the groups than the 2009 equation gives when its race term is simply dropped.')),
        'fairness': (
            'CKD-EPI 2009 multiplies eGFR by 1.159 for Black patients (race read from the US Core race extension, OMB '
            'categories 2054-5 and 2106-3 White; any other or missing category gets no coefficient, with a warning to the clinician). The '
            'coefficient was estimated from group averages, treats a social category as biology, assigns a higher eGFR '
            'to Black patients with the same creatinine, and has been associated with later CKD diagnosis, nephrology '
            'referral and transplant listing for Black patients; multiracial or misrecorded patients cannot be placed. '
            'The NKF-ASN Task Force (Delgado et al. 2021/2022) therefore recommended the race-free CKD-EPI 2021 refit, '
            'which is version 2021 of this model. Prefer 2021 for clinical use; use 2009 only to compare with historic '
            'results. Sex remains an input (Patient.gender male/female; other or unknown values are refused).'
            if is_2009 else
            'This refit removes race: the same creatinine, age and sex give the same eGFR for every patient. Compared '
            'with measured GFR it slightly overestimates in non-Black and slightly underestimates in Black participants '
            '(Inker et al. 2021), a smaller disparity than the 2009 equation without its race term; it lowers eGFR for '
            'Black patients compared with 2009 with the coefficient (more CKD diagnoses, earlier referral) and raises it '
            'slightly for others. The NKF-ASN Task Force (Delgado et al. 2021/2022) recommended this equation and '
            'encouraged confirming with cystatin C when the result is close to a decision threshold. Sex remains an '
            'input (Patient.gender male/female; other or unknown values are refused, which excludes some transgender '
            'and nonbinary patients, whose creatinine generation depends on body composition and hormones).'),
        'limitations': EGFR_COMMON_LIMITATIONS + ([
            'Uses a race coefficient (see fairness); superseded for clinical use by CKD-EPI 2021.',
        ] if is_2009 else [
            'Creatinine-only: the combined creatinine-cystatin C equation (Inker et al. 2021) is more accurate and '
            'is preferred near decision thresholds.',
        ]),
        'explanation': {
            'reference': reference + f'(eGFR {ref_value:.1f} mL/min/1.73 m2, category '
            f"{['G1', 'G2', 'G3a', 'G3b', 'G4', 'G5'][int(stage_of(ref_value)) - 1]}): a typical adult with a "
            'creatinine within the usual adult male range. Attributions show how '
            + ('creatinine, age, sex and race' if is_2009 else 'creatinine, age and sex') + ' move the eGFR away from it.',
        },
    }


def build_egfr_ckd_epi_2009(out):
    p = EGFR_2009
    screen = ('NKF eGFR calculator (kidney.org/professionals/kdoqi/gfr_calculator) result as recorded in the SCREAM R '
              'package tests (github.com/ellessenne/SCREAM, tests/testthat/test-ckd_epi.R, commit c5872243), creatinine '
              '%d umol/L converted with 1/88.4; shown as a whole number, hence tolerance 0.5')
    epocakir = ('R package epocakir tests (github.com/alwinw/epocakir, tests/testthat/test-ckd.R, commit 0435f6d1), '
                'expected value %s with tolerance 0.05 as in that test (its 143.5 is 141 x 1.018 rounded)')
    table2 = ('Levey et al. 2009 Table 2, %s form: %s; Table 2 prints the leading constant rounded to 3 significant '
              'digits, hence tolerance 0.4%% of the value')
    kidney_epi = ('R package kidney.epi documentation (github.com/scientific-tools-org/kidney.epi, %s, commit d38527c4): '
                  '%s; printed to 2 decimals, hence tolerance 0.005')

    def f(scr, age, female, black):
        return [scr, age, female, black]

    def um(value):
        return value * UMOL_TO_MG_DL

    def t2(name, form, scr, age, female, black, value):
        return egfr_case(name, table2 % (name.split(', ')[1], form), f(scr, age, female, black), value,
                         math.ceil(value * 0.004 * 1000) / 1000)

    cases = [
        egfr_case('NKF calculator, 50 umol/L, 40 y, male', screen % 50, f(um(50), 40, 0, 0), 129, 0.5),
        egfr_case('NKF calculator, 50 umol/L, 40 y, female', screen % 50, f(um(50), 40, 1, 0), 116, 0.5),
        egfr_case('NKF calculator, 30 umol/L, 50 y, male', screen % 30, f(um(30), 50, 0, 0), 148, 0.5),
        egfr_case('NKF calculator, 30 umol/L, 50 y, female', screen % 30, f(um(30), 50, 1, 0), 128, 0.5),
        egfr_case('NKF calculator, 60 umol/L, 60 y, male', screen % 60, f(um(60), 60, 0, 0), 104, 0.5),
        egfr_case('NKF calculator, 60 umol/L, 60 y, female', screen % 60, f(um(60), 60, 1, 0), 95, 0.5),
        egfr_case('NKF calculator, 100 umol/L, 70 y, male', screen % 100, f(um(100), 70, 0, 0), 65, 0.5),
        egfr_case('NKF calculator, 100 umol/L, 70 y, female', screen % 100, f(um(100), 70, 1, 0), 49, 0.5),
        egfr_case('epocakir, female, 0.5 mg/dL (below k), 20 y',
                  epocakir % '143.5 x (0.5/0.7)^-0.329 x 0.993^20', f(0.5, 20, 1, 0), 143.5 * (0.5 / 0.7) ** -0.329 * 0.993 ** 20, 0.05),
        egfr_case('epocakir, female, Black, 0.5 mg/dL (below k), 30 y',
                  epocakir % '143.5 x (0.5/0.7)^-0.329 x 0.993^30 x 1.159', f(0.5, 30, 1, 1),
                  143.5 * (0.5 / 0.7) ** -0.329 * 0.993 ** 30 * 1.159, 0.05),
        egfr_case('epocakir, female, 1.5 mg/dL (above k), 20 y',
                  epocakir % '143.5 x (1.5/0.7)^-1.209 x 0.993^20', f(1.5, 20, 1, 0), 143.5 * (1.5 / 0.7) ** -1.209 * 0.993 ** 20, 0.05),
        egfr_case('epocakir, female, Black, 1.5 mg/dL (above k), 30 y',
                  epocakir % '143.5 x (1.5/0.7)^-1.209 x 0.993^30 x 1.159', f(1.5, 30, 1, 1),
                  143.5 * (1.5 / 0.7) ** -1.209 * 0.993 ** 30 * 1.159, 0.05),
        egfr_case('epocakir, male, 0.5 mg/dL (below k), 20 y',
                  epocakir % '141 x (0.5/0.9)^-0.411 x 0.993^20', f(0.5, 20, 0, 0), 141 * (0.5 / 0.9) ** -0.411 * 0.993 ** 20, 0.05),
        egfr_case('epocakir, male, Black, 0.5 mg/dL (below k), 30 y',
                  epocakir % '141 x (0.5/0.9)^-0.411 x 0.993^30 x 1.159', f(0.5, 30, 0, 1),
                  141 * (0.5 / 0.9) ** -0.411 * 0.993 ** 30 * 1.159, 0.05),
        egfr_case('epocakir, male, 1.5 mg/dL (above k), 20 y',
                  epocakir % '141 x (1.5/0.9)^-1.209 x 0.993^20', f(1.5, 20, 0, 0), 141 * (1.5 / 0.9) ** -1.209 * 0.993 ** 20, 0.05),
        egfr_case('epocakir, male, Black, 1.5 mg/dL (above k), 30 y',
                  epocakir % '141 x (1.5/0.9)^-1.209 x 0.993^30 x 1.159', f(1.5, 30, 0, 1),
                  141 * (1.5 / 0.9) ** -1.209 * 0.993 ** 30 * 1.159, 0.05),
        egfr_case('kidney.epi, 1.4 mg/dL, 60 y, white male (54.22)',
                  kidney_epi % ('docs/reference/egfr.ckdepi.cr.2009.html', 'egfr.ckdepi.cr.2009(1.4, 60, "Male", "White", '
                                'creatinine_units = "mg/dl") gives 54.22'), f(1.4, 60, 0, 0), 54.22, 0.005),
        egfr_case('kidney.epi, 103 umol/L, 60 y, white male (67.7)',
                  kidney_epi % ('docs/articles/gfr.html', 'egfr.ckdepi.cr.2009(103, 60, "Male", "White") with creatinine '
                                'in umol/L gives 67.7'), f(um(103), 60, 0, 0), 67.7, 0.005),
        t2('Levey Table 2, Black female, creatinine <= 0.7', '166 x (Scr/0.7)^-0.329 x 0.993^Age = 166 x (0.6/0.7)^-0.329 x 0.993^45',
           0.6, 45, 1, 1, 166 * (0.6 / 0.7) ** -0.329 * 0.993 ** 45),
        t2('Levey Table 2, Black male, creatinine > 0.9', '163 x (Scr/0.9)^-1.209 x 0.993^Age = 163 x (2.0/0.9)^-1.209 x 0.993^65',
           2.0, 65, 0, 1, 163 * (2.0 / 0.9) ** -1.209 * 0.993 ** 65),
        t2('Levey Table 2, white or other female, creatinine > 0.7', '144 x (Scr/0.7)^-1.209 x 0.993^Age = 144 x (2.5/0.7)^-1.209 x 0.993^70',
           2.5, 70, 1, 0, 144 * (2.5 / 0.7) ** -1.209 * 0.993 ** 70),
        t2('Levey Table 2, white or other male, creatinine > 0.9', '141 x (Scr/0.9)^-1.209 x 0.993^Age = 141 x (6.0/0.9)^-1.209 x 0.993^60',
           6.0, 60, 0, 0, 141 * (6.0 / 0.9) ** -1.209 * 0.993 ** 60),
        t2('Levey Table 2, white or other male, creatinine <= 0.9', '141 x (Scr/0.9)^-0.411 x 0.993^Age = 141 x (0.8/0.9)^-0.411 x 0.993^35',
           0.8, 35, 0, 0, 141 * (0.8 / 0.9) ** -0.411 * 0.993 ** 35),
    ]
    check_golden(cases, egfr_numpy(p), 'egfr-ckd-epi 2009')
    write_model(out, 'egfr-ckd-epi', '2009', egfr_graph(p, 'egfr_ckd_epi_2009', '2009'), egfr_card('2009', cases, p), {'cases': cases})


def build_egfr_ckd_epi_2021(out):
    p = EGFR_2021
    nkf = ('NKF eGFR calculator (kidney.org/professionals/kdoqi/gfr_calculator, CKD-EPI 2021) result as recorded in the '
           'ml4oncology test suite (github.com/ml4oncology/ml4oncology, scripts/unit_test.py test_eGFR, commit 2f119246), '
           'creatinine %d umol/L converted with 1/88.4; shown as a whole number, hence tolerance 0.5')
    by_hand = ('Inker et al. 2021 equation evaluated term by term from the published formula: %s (not an independent '
               'value: no published example was found for this branch; guards %s)')

    def f(scr, age, female):
        return [scr, age, female]

    cases = [
        egfr_case('NKF calculator, 200 umol/L, 70 y, male', nkf % 200, f(200 * UMOL_TO_MG_DL, 70, 0), 30, 0.5),
        egfr_case('NKF calculator, 200 umol/L, 70 y, female', nkf % 200, f(200 * UMOL_TO_MG_DL, 70, 1), 23, 0.5),
        egfr_case('NKF calculator, 100 umol/L, 70 y, male', nkf % 100, f(100 * UMOL_TO_MG_DL, 70, 0), 70, 0.5),
        egfr_case('NKF calculator, 100 umol/L, 70 y, female', nkf % 100, f(100 * UMOL_TO_MG_DL, 70, 1), 52, 0.5),
        egfr_case('kidney.epi, 1.4 mg/dL, 60 y, male (57.54)',
                  'R package kidney.epi documentation (github.com/scientific-tools-org/kidney.epi, '
                  'docs/reference/egfr.ckdepi.cr.2021.html, commit d38527c4): egfr.ckdepi.cr.2021(1.4, 60, "Male", '
                  'creatinine_units = "mg/dl") gives 57.54; printed to 2 decimals, hence tolerance 0.005',
                  f(1.4, 60, 0), 57.54, 0.005),
        egfr_case('Inker 2021 formula, female, 0.5 mg/dL (below k), 30 y',
                  by_hand % ('142 x (0.5/0.7)^-0.241 x 0.9938^30 x 1.012', 'the female min() branch'),
                  f(0.5, 30, 1), 142 * (0.5 / 0.7) ** -0.241 * 0.9938 ** 30 * 1.012, 1e-9),
        egfr_case('Inker 2021 formula, male, 0.6 mg/dL (below k), 45 y',
                  by_hand % ('142 x (0.6/0.9)^-0.302 x 0.9938^45', 'the male min() branch'),
                  f(0.6, 45, 0), 142 * (0.6 / 0.9) ** -0.302 * 0.9938 ** 45, 1e-9),
        egfr_case('Inker 2021 formula, male, 8.0 mg/dL, 60 y (G5)',
                  by_hand % ('142 x (8.0/0.9)^-1.200 x 0.9938^60', 'the G5 category'),
                  f(8.0, 60, 0), 142 * (8.0 / 0.9) ** -1.200 * 0.9938 ** 60, 1e-9),
    ]
    check_golden(cases, egfr_numpy(p), 'egfr-ckd-epi 2021')
    write_model(out, 'egfr-ckd-epi', '2021', egfr_graph(p, 'egfr_ckd_epi_2021', '2021'), egfr_card('2021', cases, p), {'cases': cases})


# ---------------------------------------------------------------------------------------------------------------
# 3. wdbc-malignancy 1.0.0: logistic regression on the Wisconsin Diagnostic Breast Cancer data
# ---------------------------------------------------------------------------------------------------------------

FNA_SYSTEM = 'https://fhir-gateway.example/CodeSystem/fna-morphometry'
WDBC_CSV = Path('/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv')
STATISTIC_LABEL = {'mean': 'mean over the nuclei in the image', 'error': 'standard error over the nuclei',
                   'worst': 'worst value: mean of the three largest'}


def significant(x, digits=12):
    """Rounds to `digits` significant digits (stored weights and expected values do not depend on last-bit noise)."""
    return float(f'{x:.{digits - 1}e}')


def wdbc_feature(sklearn_name):
    """'mean concave points' -> ('concavePointsMean', 'concave-points-mean', 'concave points', 'mean')."""
    words = sklearn_name.split()
    if words[0] in ('mean', 'worst'):
        statistic, base = words[0], words[1:]
    else:
        statistic, base = words[-1], words[:-1]
    parts = base + [statistic]
    camel = parts[0] + ''.join(w.capitalize() for w in parts[1:])
    return camel, '-'.join(parts), ' '.join(base), statistic


def decimals_carried():
    """Decimal places each feature carries in the data file sklearn ships (capped at the card's maximum, 6)."""
    with WDBC_CSV.open(newline='') as handle:
        rows = list(csv.reader(handle))[1:]
    carried = [max(len(v.split('.')[1]) if '.' in v else 0 for v in column) for column in list(zip(*rows))[:30]]
    return carried


def logistic_fit(design, y, offset):
    """Unpenalized logistic regression by Newton-Raphson (calibration intercept and slope)."""
    beta = np.zeros(design.shape[1])
    for _ in range(100):
        mu = 1 / (1 + np.exp(-(design @ beta + offset)))
        step = np.linalg.solve((design * (mu * (1 - mu))[:, None]).T @ design, design.T @ (y - mu))
        beta += step
        if np.max(np.abs(step)) < 1e-12:
            break
    return beta


def wdbc_graph(mean, scale, weights, bias):
    g = Graph(30)
    centred = g.op('Sub', ['features', g.const('scaler_mean', mean)], 'centred')
    standardized = g.op('Div', [centred, g.const('scaler_scale', scale)], 'standardized')
    logit = g.op('Add', [g.op('MatMul', [standardized, g.const('weights', np.asarray(weights).reshape(30, 1))], 'weighted'),
                         g.const('bias', [bias])], 'logit_malignant')
    g.op('Sigmoid', [logit], 'probability')
    return g.model('wdbc_malignancy', ['probability'],
                   'Logistic regression (StandardScaler folded in) on the 30 WDBC nuclear features: P(malignant).',
                   {'model_id': 'wdbc-malignancy', 'model_version': '1.0.0'})


def build_wdbc_malignancy(out):
    import sklearn
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = load_breast_cancer()
    X, y = data.data, data.target  # target 0 = malignant, 1 = benign
    rows = np.arange(len(y))
    X_train, X_test, y_train, y_test, rows_train, rows_test = train_test_split(
        X, y, rows, test_size=0.3, stratify=y, random_state=0)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=10000, solver='lbfgs'))
    pipeline.fit(X_train, y_train)
    scaler, regression = pipeline[0], pipeline[1]
    assert list(regression.classes_) == [0, 1] and data.target_names[0] == 'malignant'

    # P(malignant) = predict_proba[:, 0] = sigmoid(-(z)), so the graph stores the negated weights and intercept.
    mean = [significant(v) for v in scaler.mean_]
    scale = [significant(v) for v in scaler.scale_]
    weights = [significant(-v) for v in regression.coef_[0]]
    bias = significant(-regression.intercept_[0])

    def model_numpy(features):
        z = ((features - np.asarray(mean)) / np.asarray(scale)) @ np.asarray(weights) + bias
        return {'probability': 1 / (1 + np.exp(-z))}

    p_test = pipeline.predict_proba(X_test)[:, 0]
    malignant = (y_test == 0).astype(np.float64)
    auroc = roc_auc_score(malignant, p_test)
    brier = brier_score_loss(malignant, p_test)
    clipped = np.clip(p_test, 1e-12, 1 - 1e-12)
    logit = np.log(clipped / (1 - clipped))
    slope = logistic_fit(np.c_[np.ones_like(logit), logit], malignant, 0.0)[1]
    citl = logistic_fit(np.ones((len(logit), 1)), malignant, logit)[0]
    predicted = p_test >= 0.5
    tp = int(np.sum(predicted & (malignant == 1)))
    tn = int(np.sum(~predicted & (malignant == 0)))
    fp = int(np.sum(predicted & (malignant == 0)))
    fn = int(np.sum(~predicted & (malignant == 1)))
    low, high = X_train.min(axis=0), X_train.max(axis=0)
    in_range = np.all((X_test >= low) & (X_test <= high), axis=1)
    auroc_in_range = roc_auc_score(malignant[in_range], p_test[in_range])
    bins = []
    for b in range(10):
        lo, hi = b / 10, (b + 1) / 10
        member = (p_test >= lo) & ((p_test < hi) if b < 9 else (p_test <= hi))
        n = int(member.sum())
        bins.append(f'[{lo:.1f}, {hi:.1f}{"]" if b == 9 else ")"}: n={n}'
                    + (f', mean predicted {p_test[member].mean():.3f}, observed {malignant[member].mean():.3f}' if n else ''))

    carried = decimals_carried()
    names = [wdbc_feature(n) for n in data.feature_names]
    inputs = []
    for i, (camel, kebab, base, statistic) in enumerate(names):
        decimals = min(carried[i], 6)
        own = coding(FNA_SYSTEM, kebab, str(data.feature_names[i]))
        inputs.append({
            'name': camel, 'label': f'{base} ({STATISTIC_LABEL[statistic]})', 'unit': '1', 'unitLabel': '',
            'source': {'kind': 'observation-quantity', 'codes': [{**own, 'unit': '1', 'factor': 1}],
                       'panels': [coding(FNA_SYSTEM, 'fna-panel', 'Fine-needle aspirate nuclear morphometry panel')],
                       'component': own, 'lookbackDays': 365, 'aggregation': 'most-recent'},
            'valid': {'min': float(low[i]), 'max': float(high[i])},
            'reference': round(float(scaler.mean_[i]), decimals), 'decimals': decimals})

    # Golden vectors: held-out rows inside the training range at spread-out predicted probabilities, every held-out
    # row the 0.5 threshold misclassifies (inside the range), and the reference profile.
    candidates = [i for i in np.argsort(p_test, kind='stable') if in_range[i]]
    picks = sorted({candidates[int(round(q * (len(candidates) - 1)))] for q in np.linspace(0, 1, 8)}
                   | {i for i in candidates if predicted[i] != (malignant[i] == 1)})
    source = (f'Held-out test row (load_breast_cancer row %d, true diagnosis %s): scikit-learn {sklearn.__version__} '
              'predict_proba(...)[:, 0] = P(malignant) of the fitted StandardScaler + LogisticRegression pipeline, '
              'rounded to 12 decimals; tolerance 1e-9')
    cases = [case(f'held-out row {int(rows_test[i])} ({"malignant" if malignant[i] else "benign"}, '
                  f'P={p_test[i]:.3f}{", misclassified at 0.5" if predicted[i] != (malignant[i] == 1) else ""})',
                  source % (int(rows_test[i]), 'malignant' if malignant[i] else 'benign'),
                  [float(v) for v in X_test[i]], {'probability': round(float(p_test[i]), 12)}, {'probability': 1e-9})
             for i in picks]
    reference = np.asarray([[x['reference'] for x in inputs]], dtype=np.float64)
    reference_p = float(pipeline.predict_proba(reference)[0, 0])
    cases.append(case('reference profile (training means)',
                      f'scikit-learn {sklearn.__version__} predict_proba(...)[:, 0] of the fitted pipeline on the card\'s '
                      'reference profile (training-set means rounded to each feature\'s decimals), rounded to 12 '
                      'decimals; tolerance 1e-9',
                      [x['reference'] for x in inputs], {'probability': round(reference_p, 12)}, {'probability': 1e-9}))
    check_golden(cases, model_numpy, 'wdbc-malignancy 1.0.0')

    n_train, n_test = len(y_train), len(y_test)
    m_train, m_test = int(np.sum(y_train == 0)), int(np.sum(y_test == 0))
    outside = int((~in_range).sum())
    card = {
        'id': 'wdbc-malignancy',
        'version': '1.0.0',
        'title': 'Breast mass fine-needle aspirate: probability of malignancy (logistic regression, WDBC)',
        'kind': 'learned',
        'intendedUse': (
            'Research and demonstration of a learned model under the gateway\'s consent, data-contract and explanation '
            'machinery: estimates the probability that a breast mass is malignant from 30 nuclear morphometry features '
            'measured on a digitized image of a fine-needle aspirate (FNA). It is not a diagnostic device, is not cleared '
            'for clinical use and must not decide or defer a biopsy or treatment; cytology and histopathology remain the '
            'diagnosis.'),
        'population': (
            'Patients with a breast mass sampled by fine-needle aspiration whose nuclear features were extracted with '
            'the image-analysis software of the original study (Xcyt; University of Wisconsin Hospitals, Madison, early '
            '1990s; 569 aspirates, 212 malignant and 357 benign). Inputs outside the '
            'range seen in training are refused.'),
        'inputs': inputs,
        'outputs': [{
            'name': 'probability', 'label': 'probability of malignancy', 'scale': 100, 'unitLabel': '%',
            'pointsLabel': 'percentage points', 'decimals': 1,
            'meaning': ('model-estimated probability that the aspirated breast mass is malignant (held-out calibration '
                        'in validation)'),
            'bands': [{'from': 0, 'label': 'benign range'}, {'from': 50, 'label': 'malignant range'}],
        }],
        'outcome': coding(OUTCOME_SYSTEM, 'breast-fna-malignant', 'Malignant breast mass (fine-needle aspirate)'),
        'provenance': (
            'Trained by models/build.py on the Wisconsin Diagnostic Breast Cancer (WDBC) data as shipped with Debian\'s '
            f'python3-sklearn {sklearn.__version__} (sklearn.datasets.load_breast_cancer, file breast_cancer.csv; Street, '
            'Wolberg & Mangasarian 1993; UCI Machine Learning Repository). Split: stratified 70/30 '
            f'(train_test_split, test_size 0.3, random_state 0): {n_train} training aspirates ({m_train} malignant, '
            f'{n_train - m_train} benign) and {n_test} held-out aspirates ({m_test} malignant, {n_test - m_test} benign). '
            'Model: StandardScaler then LogisticRegression(C=1.0, solver lbfgs, max_iter 10000, L2 penalty), '
            f'converged in {int(regression.n_iter_[0])} iterations. scikit-learn labels malignant as 0, so the graph '
            'computes P(malignant) = sigmoid(-(w . z + b)) = predict_proba[:, 0]: it stores the scaler\'s mean and '
            'scale, the negated coefficients and the negated intercept, each rounded to 12 significant digits (the '
            'ONNX output agrees with scikit-learn to 1e-9, checked by the golden vectors), so the graph takes raw '
            'features. Inputs: 30 FNA features per nucleus population (radius, texture, perimeter, area, smoothness, '
            'compactness, concavity, concave points, symmetry, fractal dimension; each as mean, standard error and '
            'worst value). The data set does not state units (sizes are measured on the digitized image, texture is a '
            'standard deviation of grey-scale values, the shape features are ratios or counts), so every input has unit '
            '1 and no conversion. Each input comes from '
            'an Observation with its own code in the local CodeSystem ' + FNA_SYSTEM + ' (or the component of a '
            'fna-panel Observation). Valid ranges are the minimum and maximum of the training set; the reference is the '
            'training mean rounded to the decimals the data carries (capped at 6; three features carry 7, which the '
            'gateway rounds to 6, a change of at most 5e-7).'),
        'references': [
            'Street WN, Wolberg WH, Mangasarian OL. Nuclear feature extraction for breast tumor diagnosis. In: IS&T/SPIE '
            '1993 International Symposium on Electronic Imaging: Science and Technology, vol 1905. San Jose, CA; 1993:861-870. '
            'doi:10.1117/12.148698',
            'Wolberg WH, Street WN, Mangasarian OL. Breast Cancer Wisconsin (Diagnostic) [data set]. UCI Machine Learning '
            'Repository; 1995. doi:10.24432/C5DW2B',
            'Pedregosa F, et al. Scikit-learn: machine learning in Python. J Mach Learn Res. 2011;12:2825-2830.',
            'Van Calster B, McLernon DJ, van Smeden M, Wynants L, Steyerberg EW. Calibration: the Achilles heel of '
            'predictive analytics. BMC Med. 2019;17:230. doi:10.1186/s12916-019-1466-7',
        ],
        'validation': (
            f'Held-out test set, n={n_test} ({m_test} malignant): AUROC {auroc:.4f}; Brier score {brier:.4f}; '
            f'calibration intercept (calibration-in-the-large, logit offset) {citl:.3f} and calibration slope {slope:.3f} '
            '(logistic recalibration on the logit of the prediction; ideal 0 and 1; a slope above 1 means predictions '
            'slightly too moderate). At the 0.5 threshold (malignant range from 50%): accuracy '
            f'{(tp + tn) / n_test:.3f}, sensitivity {tp / (tp + fn):.3f} ({tp}/{tp + fn} malignant detected), specificity '
            f'{tn / (tn + fp):.3f} ({tn}/{tn + fp} benign), {fp} false positives and {fn} false negatives. Reliability table '
            '(10 equal-width bins of predicted probability): ' + '; '.join(bins) + '. '
            f'{outside} of the {n_test} held-out aspirates have a feature outside the training range and would be '
            f'refused by the gateway; on the {n_test - outside} accepted ones the AUROC is {auroc_in_range:.4f}. '
            'One split of one small data set: these estimates are optimistic for any other setting and are not an '
            f'external validation. Golden vectors: {len(cases)} cases (held-out rows across the probability range, every '
            'accepted misclassified row, and the reference profile) with scikit-learn\'s predict_proba as expected value, '
            'tolerance 1e-9.'),
        'fairness': (
            'The data set records no age, race, ethnicity, sex or other demographic or socioeconomic attribute, so '
            'performance cannot be assessed for any subgroup and disparities cannot be measured or excluded. The cohort '
            'is a single institution in Wisconsin in the early 1990s; its demographic mix is unknown here and is unlikely '
            'to represent other populations, imaging equipment or cytology practices. Any deployment beyond '
            'demonstration would need a new, demographically described validation cohort and subgroup analysis.'),
        'limitations': [
            'Not a diagnostic device and not for clinical decisions: research and demonstration only.',
            'Single institution, early 1990s, 569 aspirates; one random split is the only validation.',
            'FNA nuclear morphometry features from the original image-analysis software are not routinely recorded in '
            'EHRs; values from other software or magnification are not comparable.',
            'Feature units are not stated by the data set (image units); the local CodeSystem codes are placeholders, '
            'not a standard terminology.',
            'Logistic regression on standardized features: strongly correlated inputs (radius, perimeter, area) share '
            'weight, so individual coefficients and attributions should not be read as independent effects.',
            'Inputs outside the training range are refused, including some genuine aspirates (see validation).',
            'Probabilities are calibrated to the study\'s case mix (37% malignant); a different prevalence shifts them.',
        ],
        'explanation': {
            'reference': (
                'The reference profile is the mean of each feature over the training set (rounded to the decimals the '
                f'data carries), a synthetic average aspirate with P(malignant) {100 * reference_p:.1f}%. Attributions '
                'show how each of the patient\'s 30 measurements moves the probability away from that average; with 30 '
                'inputs the gateway samples permutations and states the error bound.'),
        },
    }
    write_model(out, 'wdbc-malignancy', '1.0.0', wdbc_graph(mean, scale, weights, bias), card, {'cases': cases})


# ---------------------------------------------------------------------------------------------------------------

BUILDERS = [build_ascvd_pce_2013, build_egfr_ckd_epi_2009, build_egfr_ckd_epi_2021, build_wdbc_malignancy]
MODEL_FOLDERS = ['ascvd-pce/2013', 'egfr-ckd-epi/2009', 'egfr-ckd-epi/2021', 'wdbc-malignancy/1.0.0']


def build(out):
    for builder in BUILDERS:
        builder(out)


def check():
    """Builds into a temporary folder and compares byte for byte with the committed files."""
    with tempfile.TemporaryDirectory(prefix='models-check-') as tmp:
        built = Path(tmp)
        build(built)
        problems = []
        for folder in MODEL_FOLDERS:
            generated = {p.name for p in (built / folder).iterdir()}
            committed = {p.name for p in (MODELS / folder).iterdir()} if (MODELS / folder).is_dir() else set()
            for name in sorted(generated | committed):
                rel = f'models/{folder}/{name}'
                if name not in committed:
                    problems.append(f'{rel}: missing (run /usr/bin/python3 models/build.py)')
                elif name not in generated:
                    problems.append(f'{rel}: not produced by models/build.py')
                elif (built / folder / name).read_bytes() != (MODELS / folder / name).read_bytes():
                    problems.append(f'{rel}: differs from what models/build.py produces')
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        print(f'models/build.py --check: {len(MODEL_FOLDERS)} model versions reproduce byte for byte')
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true', help='build into a temporary folder and compare with models/')
    args = parser.parse_args()
    if args.check:
        return check()
    build(MODELS)
    for folder in MODEL_FOLDERS:
        print(f'models/{folder}: {(MODELS / folder / "model.onnx.sha256").read_text().split()[0]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
