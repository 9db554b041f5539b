import { Delete, Patch, Post, Put } from '@nestjs/common';
import { methodNotAllowed } from '../common/index.js';

/**
 * The writes of a read-only FHIR projection (Consent of chain state, AuditEvent of the audit log): each answers 405
 * with an OperationOutcome saying where such records come from instead. Subclasses are the resource's controllers
 * (Nest finds these routes through the prototype chain).
 */
export abstract class ReadOnlyResourceController {
  /** Why the resource is read-only and how its records come to exist. */
  protected abstract readonly readOnly: string;

  @Post()
  create(): void {
    throw methodNotAllowed(this.readOnly);
  }

  @Put(':id')
  update(): void {
    throw methodNotAllowed(this.readOnly);
  }

  @Delete(':id')
  remove(): void {
    throw methodNotAllowed(this.readOnly);
  }

  @Patch(':id')
  patch(): void {
    throw methodNotAllowed(this.readOnly);
  }
}
