// Registers one tool with the shared conventions: zod in/out schemas, annotations, structured
// content plus a short text, and every failure returned as an isError result (never thrown).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { describeError } from './errors.js';

export interface ToolSpec<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: Omit<ToolAnnotations, 'title'>;
  /** What to tell the model when an id is unknown (HTTP 404): which tool lists valid ids. */
  notFoundHint: string;
  run(args: z.infer<z.ZodObject<I>>): Promise<{ data: z.infer<z.ZodObject<O>>; text: string }>;
}

/** Argument problems the API would only report vaguely; thrown by tools, shown as tool errors. */
export class ArgumentError extends Error {}

export const READ: Omit<ToolAnnotations, 'title'> = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };
export const CREATE: Omit<ToolAnnotations, 'title'> = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };
/** Changes that repeat harmlessly and can be undone (update, move, tag). */
export const CHANGE: Omit<ToolAnnotations, 'title'> = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true };
export const DESTROY: Omit<ToolAnnotations, 'title'> = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true };

export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(server: McpServer, spec: ToolSpec<I, O>): void {
  const handler = async (args: z.infer<z.ZodObject<I>>): Promise<CallToolResult> => {
    try {
      const { data, text } = await spec.run(args);
      return { content: [{ type: 'text', text }], structuredContent: data as Record<string, unknown> };
    } catch (error) {
      const message = error instanceof ArgumentError ? `Invalid arguments: ${error.message}` : describeError(error, spec.notFoundHint);
      return { isError: true, content: [{ type: 'text', text: message }] };
    }
  };
  server.registerTool(
    spec.name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.input,
      outputSchema: spec.output,
      annotations: { title: spec.title, ...spec.annotations },
    },
    // The SDK's callback type is inferred from the shape; our handler is typed from the same shape.
    handler as never,
  );
}
