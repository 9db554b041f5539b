import type { AuditReceipt } from '../audit/audit-log.js';
import { badRequest } from '../common/index.js';

/** The id of the `$diagnose` OperationDefinition, served at `/fhir/OperationDefinition/<id>`. */
export const DIAGNOSE_OPERATION_ID = 'Patient-diagnose';

/** The CapabilityStatement's `operation` entry of Patient. */
export function diagnoseOperationEntry(base: string): { name: string; definition: string } {
  return { name: 'diagnose', definition: `${base}/OperationDefinition/${DIAGNOSE_OPERATION_ID}` };
}

/** The OperationDefinition of `POST /fhir/Patient/{id}/$diagnose` (FHIR R4 operationdefinition.html). */
export function diagnoseOperationDefinition(base: string): Record<string, unknown> {
  const part = (name: string, type: string, documentation: string, max = '1') => ({ name, use: 'out', min: 0, max, type, documentation });
  return {
    resourceType: 'OperationDefinition',
    id: DIAGNOSE_OPERATION_ID,
    url: `${base}/OperationDefinition/${DIAGNOSE_OPERATION_ID}`,
    name: 'Diagnose',
    title: 'Run a diagnostic model on a patient under their consent, with an explanation',
    status: 'active',
    kind: 'operation',
    code: 'diagnose',
    resource: ['Patient'],
    system: false,
    type: false,
    instance: true,
    affectsState: true,
    description:
      'Runs an approved ONNX model on the records its data contract names, under a live DIAGNOSIS consent from the patient whose scope names the model. Writes a RiskAssessment (basis = the exact input record versions) and its Provenance into the patient\'s ai-results compartment, and returns them with the Shapley explanation and a receipt of hashes. Missing or out-of-range inputs answer 422 listing each one; no consent 404 (patient unknown to the caller) or 403 (consent does not cover the model).',
    parameter: [
      { name: 'model', use: 'in', min: 1, max: '1', type: 'string', documentation: 'Model id, e.g. ascvd-pce.' },
      { name: 'version', use: 'in', min: 0, max: '1', type: 'string', documentation: 'Model version; default: the version the consent pins, or the newest loaded.' },
      { name: 'consent', use: 'in', min: 0, max: '1', type: 'string', documentation: 'The on-chain consent id (0x…) or Consent id to act under; default: any live DIAGNOSIS consent that covers the model.' },
      { name: 'riskAssessment', use: 'out', min: 1, max: '1', type: 'RiskAssessment', documentation: 'The result as written to the patient\'s store.' },
      { name: 'provenance', use: 'out', min: 1, max: '1', type: 'Provenance', documentation: 'Model version and file hash, requester, inputs and consent.' },
      {
        name: 'explanation',
        use: 'out',
        min: 1,
        max: '1',
        documentation: 'Shapley feature attributions that sum to prediction minus the reference prediction.',
        part: [
          part('method', 'code', 'exact | sampled-permutations'),
          part('summary', 'string', 'Plain-language summary.'),
          part('sha256', 'string', 'SHA-256 of the explanation\'s RFC 8785 canonical JSON.'),
          part('document', 'string', 'The explanation as RFC 8785 canonical JSON.'),
        ],
      },
      { name: 'warning', use: 'out', min: 0, max: '*', type: 'string', documentation: 'What the clinician must know about the inputs (e.g. a guideline default applied).' },
      {
        name: 'receipt',
        use: 'out',
        min: 1,
        max: '1',
        documentation: 'Ids and SHA-256 hashes of the diagnosis (no health data), for the audit log.',
        part: [part('json', 'string', 'The receipt as RFC 8785 canonical JSON.'), part('sha256', 'string', 'Its SHA-256.')],
      },
      {
        name: 'audit',
        use: 'out',
        min: 0,
        max: '1',
        documentation: 'Where the diagnosis is in the verifiable audit log (design.md §2.4): its leaf and, once a tree head covering it is anchored on-chain, the anchor and the RFC 9162 inclusion proof up to that head. The regulator API (GET /audit/entries/{leafIndex}) serves the same receipt later.',
        part: [
          part('leafIndex', 'integer', 'Leaf index of the diagnosis\'s audit entry (0-based).'),
          part('leafHash', 'string', 'Its RFC 9162 leaf hash, SHA-256(0x00 || entry), lowercase hex.'),
          {
            name: 'anchor',
            use: 'out',
            min: 0,
            max: '1',
            documentation: 'The first anchored tree head covering the entry (AuditAnchor on-chain).',
            part: [
              part('treeSize', 'integer', 'Size of the anchored tree.'),
              part('rootHash', 'string', 'Its root hash, 0x-prefixed hex as anchored.'),
              part('transactionHash', 'string', 'The anchoring transaction.'),
              part('blockNumber', 'integer', 'Its block.'),
              part('anchoredAt', 'instant', 'Its block time.'),
            ],
          },
          part('inclusionProof', 'string', 'The inclusion proof, leaf to root, one lowercase hex hash each (RFC 9162 §2.1.3), when anchored.', '*'),
        ],
      },
    ],
  };
}

/** The `in` parameters of a `$diagnose` Parameters body. @throws OperationOutcomeError 400 naming what is wrong. */
export function diagnoseParameters(body: unknown): { model: string; version?: string; consent?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || (body as { resourceType?: unknown }).resourceType !== 'Parameters') {
    throw badRequest('expected a Parameters resource with a "model" parameter', 'Parameters');
  }
  const parameters = (body as { parameter?: unknown }).parameter;
  if (parameters !== undefined && !Array.isArray(parameters)) throw badRequest('Parameters.parameter: expected an array', 'Parameters.parameter');
  const values: Record<string, string> = {};
  for (const [i, p] of ((parameters as unknown[] | undefined) ?? []).entries()) {
    if (typeof p !== 'object' || p === null) throw badRequest(`Parameters.parameter[${i}]: expected an object`, `Parameters.parameter[${i}]`);
    const { name, valueString, valueCode, valueId } = p as { name?: unknown; valueString?: unknown; valueCode?: unknown; valueId?: unknown };
    if (name !== 'model' && name !== 'version' && name !== 'consent') {
      throw badRequest(`Parameters.parameter[${i}].name: expected model, version or consent`, `Parameters.parameter[${i}].name`);
    }
    const value = valueString ?? valueCode ?? valueId;
    if (typeof value !== 'string' || value.length === 0 || value.length > 200) throw badRequest(`Parameters.parameter[${i}] (${name}): expected a valueString of 1 to 200 characters`, `Parameters.parameter[${i}].value[x]`);
    if (name in values) throw badRequest(`Parameters: ${name} appears more than once`, `Parameters.parameter[${i}]`);
    values[name] = value;
  }
  if (values['model'] === undefined) throw badRequest('Parameters: expected a "model" parameter (e.g. ascvd-pce)', 'Parameters.parameter');
  return { model: values['model'], ...(values['version'] !== undefined ? { version: values['version'] } : {}), ...(values['consent'] !== undefined ? { consent: values['consent'] } : {}) };
}

/**
 * The `audit` output parameter of `$diagnose` (see {@link diagnoseOperationDefinition}): the receipt's leaf and,
 * once anchored, the anchor and the inclusion proof.
 */
export function auditParameter(receipt: AuditReceipt): Record<string, unknown> {
  const { anchor } = receipt;
  return {
    name: 'audit',
    part: [
      { name: 'leafIndex', valueInteger: receipt.leafIndex },
      { name: 'leafHash', valueString: receipt.leafHash },
      ...(anchor
        ? [
            {
              name: 'anchor',
              part: [
                { name: 'treeSize', valueInteger: anchor.treeSize },
                { name: 'rootHash', valueString: anchor.rootHash },
                { name: 'transactionHash', valueString: anchor.transactionHash },
                { name: 'blockNumber', valueInteger: anchor.blockNumber },
                { name: 'anchoredAt', valueInstant: anchor.anchoredAt },
              ],
            },
          ]
        : []),
      ...(receipt.inclusionProof ?? []).map((hash) => ({ name: 'inclusionProof', valueString: hash })),
    ],
  };
}
