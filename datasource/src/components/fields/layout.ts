/** label width of every editor field, in Grafana's 8 px units, so the controls line up in one column */
export const LABEL_WIDTH = 14;
