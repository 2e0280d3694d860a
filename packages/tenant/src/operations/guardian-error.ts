/**
 * A refusal of the Guardian (device) side, with Guardian's error codes (spec §9.6): scanning an
 * expired transaction, answering a push that is gone. Thrown by the virtual device.
 */
export class GuardianError extends Error {
  override readonly name = "GuardianError";

  constructor(
    /** `enrollment_transaction_not_found`, `login_transaction_not_found`, `invalid_enrollment`, … */
    readonly errorCode: string,
    message: string,
    /** The status the emulator's control API answers with. */
    readonly statusCode: number,
  ) {
    super(message);
  }
}
