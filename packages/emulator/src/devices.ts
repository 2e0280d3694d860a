import { createDevice, type DevicePolicy, type VirtualDevice, type VirtualTenant } from "@pushflow/tenant";

/**
 * One virtual Guardian device per user, created on demand. A default policy applies to every
 * device, including those created for an enrollment that just started (so "scan after 3 s"
 * works for users the emulator has never seen a device for).
 */
export class DeviceRegistry {
  private readonly devices = new Map<string, VirtualDevice>();
  private defaultPolicy: DevicePolicy | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly tenant: VirtualTenant,
    policy?: DevicePolicy,
  ) {
    this.defaultPolicy = policy;
    this.unsubscribe = tenant.on((event) => {
      if (event.type === "enrollment-started" && this.defaultPolicy !== undefined) this.for(event.username);
    });
  }

  /** The device of a user (its automatic scan only looks at that user's enrollments). */
  for(username: string): VirtualDevice {
    const key = username.toLowerCase();
    let device = this.devices.get(key);
    if (device === undefined) {
      device = createDevice(this.tenant, {
        name: "Pushflow Emulator Device",
        username,
        ...(this.defaultPolicy === undefined ? {} : { policy: this.defaultPolicy }),
      });
      this.devices.set(key, device);
    }
    return device;
  }

  /** The device of a user, if one exists. */
  find(username: string): VirtualDevice | undefined {
    return this.devices.get(username.toLowerCase());
  }

  get policy(): DevicePolicy | undefined {
    return this.defaultPolicy;
  }

  /**
   * Stops the registry and its devices listening to the tenant: a tenant that outlives the
   * emulator (the `tenant` option) must not keep being scanned and answered by it.
   */
  dispose(): void {
    this.unsubscribe();
    for (const device of this.devices.values()) device.dispose();
  }

  /** Sets the policy of every device, present and future (undefined stops them all). */
  setDefaultPolicy(policy: DevicePolicy | undefined): void {
    this.defaultPolicy = policy;
    for (const device of this.devices.values()) device.setPolicy(policy);
  }
}
