// Placeholder: routes for this provider are added by its own change.
import type { LocalAzureContext } from '../../../context.ts';

export function registerApiManagement(_env: LocalAzureContext): void {}
