// Shapes of the Swagger 2.0 document that /openapi/v2 serves (the subset Kubernetes documents use).

export interface V2Parameter {
  name: string;
  in: 'query' | 'path' | 'body';
  description?: string;
  required?: boolean;
  type?: string;
  uniqueItems?: boolean;
  schema?: V2Schema;
}

export type V2Schema = Record<string, unknown>;

export interface V2Operation {
  description: string;
  operationId: string;
  consumes: string[];
  produces: string[];
  schemes: string[];
  tags: string[];
  parameters?: V2Parameter[];
  responses: Record<string, { description: string; schema?: V2Schema }>;
  [extension: `x-${string}`]: unknown;
}

export type V2PathItem = Partial<Record<'get' | 'put' | 'post' | 'patch' | 'delete', V2Operation>> & {
  parameters?: V2Parameter[];
};

export interface V2Document {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, V2PathItem>;
  definitions: Record<string, V2Schema>;
  securityDefinitions: Record<string, unknown>;
  security: Record<string, string[]>[];
}
