/** One record flowing through a pipeline: a JSON object as the API returned it, or as an operator shaped it. */
export type DataRecord = Record<string, unknown>;
