import { Body, Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal, Public } from '../auth/index.js';
import { notFound } from '../common/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { DiagnosisService } from '../inference/index.js';
import { presentParameters } from '../inference/diagnosis-parameters.js';
import { auditParameter, DIAGNOSE_OPERATION_ID, diagnoseOperationDefinition, diagnoseParameters } from './diagnose-operation.js';
import { sendFhir } from './fhir-response.js';

/**
 * `POST /fhir/Patient/{id}/$diagnose` (design.md §3, issue 5 §3) and its OperationDefinition. The operation runs
 * through the inference module, which reads records only through the store's enforcement point under the
 * patient's DIAGNOSIS consent. (Static routes take precedence over the generic `/fhir/:type/...` routes.)
 */
@Controller('fhir')
export class DiagnoseController {
  private readonly base: string;

  constructor(
    @Inject(DiagnosisService) private readonly diagnoses: DiagnosisService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.base = `${config.http.publicUrl}/fhir`;
  }

  @Post('Patient/:id/$diagnose')
  async diagnose(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const request = diagnoseParameters(body);
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw notFound('Patient: the id is not a FHIR id');
    const result = await this.diagnoses.diagnose(principal, id, request);
    const parameters = presentParameters(result) as { parameter: unknown[] };
    // The audit receipt (issue 6 §3): where the diagnosis's entry is in the log, and its proof once anchored.
    const output = result.audit ? { ...parameters, parameter: [...parameters.parameter, auditParameter(result.audit)] } : parameters;
    sendFhir(reply, { status: 200, headers: { location: `${this.base}/${result.receipt.riskAssessment}` }, body: output });
  }

  /** Public, like the CapabilityStatement that points to it: it describes the API, not any record. */
  @Public()
  @Get(`OperationDefinition/${DIAGNOSE_OPERATION_ID}`)
  operationDefinition(@Res() reply: FastifyReply): void {
    sendFhir(reply, { status: 200, headers: {}, body: diagnoseOperationDefinition(this.base) });
  }
}
