/**
 * Redfish error responses: `{error: {code, message, @Message.ExtendedInfo: [Message]}}` with messages of the DMTF
 * Base registry (Base.1.13.0, the version OpenBMC's bmcweb ships; the recorded mockup in fixtures/devices/redfish
 * carries Base.1.5.0, which lacks PropertyValueOutOfRange). A client reads `MessageId` to know what went wrong and
 * `RelatedProperties` (JSON pointers into the request body) to know where.
 */

/** Prefix of every MessageId: registry and version. */
export const BASE_REGISTRY = 'Base.1.13.0';

/** The Base messages the simulator answers with: template (%1, %2 = MessageArgs), severity, resolution. */
const MESSAGES = {
  PropertyValueOutOfRange: {
    message: "The value '%1' for the property %2 is not in the supported range of acceptable values.",
    severity: 'Warning',
    resolution:
      'Correct the value for the property in the request body and resubmit the request if the operation failed.',
  },
  PropertyValueTypeError: {
    message: "The value '%1' for the property %2 is of a different type than the property can accept.",
    severity: 'Warning',
    resolution:
      'Correct the value for the property in the request body and resubmit the request if the operation failed.',
  },
  PropertyValueFormatError: {
    message: "The value '%1' for the property %2 is of a different format than the property can accept.",
    severity: 'Warning',
    resolution:
      'Correct the value for the property in the request body and resubmit the request if the operation failed.',
  },
  PropertyValueNotInList: {
    message: "The value '%1' for the property %2 is not in the list of acceptable values.",
    severity: 'Warning',
    resolution:
      'Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.',
  },
  PropertyUnknown: {
    message: 'The property %1 is not in the list of valid properties for the resource.',
    severity: 'Warning',
    resolution: 'Remove the unknown property from the request body and resubmit the request if the operation failed.',
  },
  PropertyNotWritable: {
    message: 'The property %1 is a read only property and cannot be assigned a value.',
    severity: 'Warning',
    resolution: 'Remove the property from the request body and resubmit the request if the operation failed.',
  },
  MalformedJSON: {
    message: 'The request body submitted was malformed JSON and could not be parsed by the receiving service.',
    severity: 'Critical',
    resolution: 'Ensure that the request body is valid JSON and resubmit the request.',
  },
  EmptyJSON: {
    message: 'The request body submitted contained an empty JSON object and the service is unable to process it.',
    severity: 'Warning',
    resolution: 'Add properties in the JSON object and resubmit the request.',
  },
  ResourceNotFound: {
    message: "The requested resource of type %1 named '%2' was not found.",
    severity: 'Critical',
    resolution: 'Provide a valid resource identifier and resubmit the request.',
  },
  ServiceTemporarilyUnavailable: {
    message: 'The service is temporarily unavailable.  Retry in %1 seconds.',
    severity: 'Critical',
    resolution: 'Wait for the indicated retry duration and retry the operation.',
  },
  OperationNotAllowed: {
    message: 'The HTTP method is not allowed on this resource.',
    severity: 'Critical',
    resolution: 'None.',
  },
  PayloadTooLarge: {
    message: 'The supplied payload exceeds the maximum size supported by the service.',
    severity: 'Critical',
    resolution: 'Check that the supplied payload is correct and supported by this service.',
  },
  GeneralError: {
    message:
      'A general error has occurred.  See Resolution for information on how to resolve the error, or @Message.ExtendedInfo if Resolution is not provided.',
    severity: 'Critical',
    resolution: 'None.',
  },
  InternalError: {
    message: 'The request failed due to an internal service error.  The service is still operational.',
    severity: 'Critical',
    resolution: 'Resubmit the request.  If the problem persists, consider resetting the service.',
  },
} as const;

export type BaseMessage = keyof typeof MESSAGES;

/** An HTTP response the Redfish service answers with. */
export interface RedfishResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A Redfish error to answer: HTTP status, Base message, its arguments, and the body properties it is about. */
export class RedfishError extends Error {
  constructor(
    readonly status: number,
    readonly messageId: BaseMessage,
    readonly args: readonly string[] = [],
    /** JSON pointers into the request body, `#/PowerControl/0/PowerLimit/LimitInWatts` */
    readonly relatedProperties: readonly string[] = [],
    /** what the simulator adds to the registry's text: the allowed range, the known racks, … */
    readonly detail?: string,
    readonly headers?: Record<string, string>,
  ) {
    const m = MESSAGES[messageId];
    super(fill(m.message, args) + (detail ? ` ${detail}` : ''));
  }

  /** The Redfish error body (DSP0266 "Error responses"). */
  response(): RedfishResponse {
    const m = MESSAGES[this.messageId];
    const id = `${BASE_REGISTRY}.${this.messageId}`;
    return {
      status: this.status,
      headers: this.headers,
      body: {
        error: {
          code: id,
          message: this.message,
          '@Message.ExtendedInfo': [
            {
              '@odata.type': '#Message.v1_1_1.Message',
              MessageId: id,
              Message: this.message,
              MessageArgs: [...this.args],
              ...(this.relatedProperties.length ? { RelatedProperties: [...this.relatedProperties] } : {}),
              MessageSeverity: m.severity,
              Severity: m.severity,
              Resolution: m.resolution,
            },
          ],
        },
      },
    };
  }
}

function fill(template: string, args: readonly string[]): string {
  return template.replace(/%(\d)/g, (_, n: string) => args[Number(n) - 1] ?? '');
}
