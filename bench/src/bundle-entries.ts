/** A library measured beside ours, with the entry an app would write to run push MFA with it. */
export interface Alternative {
  readonly id: string;
  /** The npm package (its installed version is printed). */
  readonly packageName: string;
  /** What the entry takes, for the table and README. */
  readonly takes: string;
  readonly entry: string;
}

export const ALTERNATIVES: readonly Alternative[] = [
  {
    id: "auth0-guardian-js",
    packageName: "auth0-guardian-js",
    takes: "the client factory (enroll + push auth over Guardian's API; CommonJS, events/url polyfills as its webpack build uses)",
    entry: `import guardian from "auth0-guardian-js";\nexport { guardian };`,
  },
  {
    id: "auth0-acul-js",
    packageName: "@auth0/auth0-acul-js",
    takes: "the four push screens: mfa-push-welcome, mfa-push-enrollment-qr, mfa-push-list, mfa-push-challenge-push",
    entry: [
      `export { default as MfaPushWelcome } from "@auth0/auth0-acul-js/mfa-push-welcome";`,
      `export { default as MfaPushEnrollmentQr } from "@auth0/auth0-acul-js/mfa-push-enrollment-qr";`,
      `export { default as MfaPushList } from "@auth0/auth0-acul-js/mfa-push-list";`,
      `export { default as MfaPushChallengePush } from "@auth0/auth0-acul-js/mfa-push-challenge-push";`,
    ].join("\n"),
  },
  {
    id: "auth0-auth-js",
    packageName: "@auth0/auth0-auth-js",
    takes: "AuthClient (its `mfa` client: list, enroll, challenge, verify)",
    entry: `export { AuthClient } from "@auth0/auth0-auth-js";`,
  },
  {
    id: "auth0-spa-js",
    packageName: "@auth0/auth0-spa-js",
    takes: "Auth0Client (its `mfa` API client)",
    entry: `export { Auth0Client } from "@auth0/auth0-spa-js";`,
  },
  {
    id: "okta-auth-js",
    packageName: "@okta/okta-auth-js",
    takes: "OktaAuth from the `/idx` entry (Okta Verify push through IDX authenticate/proceed/poll), its smallest entry with push",
    entry: `export { OktaAuth } from "@okta/okta-auth-js/idx";`,
  },
];

/** Ours through the browser adapter, once `@pushflow/browser` exports the flows. */
export const BROWSER_ENTRY = `export { enroll, challenge } from "@pushflow/browser";`;

/** Until then: what the browser adapter is made of (core's shared adapter API over the fetch transport). */
export const CORE_FETCH_ENTRY = [
  `import { createAdapter } from "@pushflow/core/adapter";`,
  `import { createFetchTransport } from "@pushflow/transport-fetch";`,
  `export const { enroll, challenge } = createAdapter({ createTransport: createFetchTransport });`,
].join("\n");

export const BROWSER_PROBE = `export * from "@pushflow/browser";`;
export const QR_ENTRY = `export * from "@pushflow/browser/qr";`;

/** The UI bindings, each with the framework it takes as a peer (the app has it anyway: not counted). */
export const BINDINGS = [
  { name: "@pushflow/react", entry: `export { useChallenge, useEnrollment } from "@pushflow/react";`, peer: "react" },
  { name: "@pushflow/vue", entry: `export { useChallenge, useEnrollment } from "@pushflow/vue";`, peer: "vue" },
] as const;
