/**
 * What a PD worker does with each request, independent of the Worker plumbing
 * so it can be tested directly. It only knows its own PD: the configuration
 * the broker hands it. Translations and connection attempts run
 * concurrently; a cancel ends one at once with a "cancelled" answer.
 *
 * @module
 */

import type {
  ApiMessage,
  ConnectToAddress,
  ConnectToAddressFromAddress,
  PdRequest,
  TlsInfo,
  TranslateName,
} from "../protocol/types.ts";
import type { PdConfig, Send, ServiceMessage } from "../wire/pd_wire.ts";
import { translateName, type TranslationTarget } from "./dns/translate_name.ts";
import { configurationData } from "../protocol/configuration_data.ts";
import { type DataFlow, pumpSocket } from "./net/socket_pump.ts";
import { connectTcp } from "./net/tcp_connect.ts";
import { SocketReader } from "./net/socket_reader.ts";
import type { Socket } from "node:net";
import { connectSources, dnsServers, routeProblem, searchDomains } from "./pd_view.ts";
import { zoned } from "../ip/zone.ts";
import { describeError } from "../protocol/text.ts";

/** Serves one provisioning domain's requests. */
export class PdService {
  #config: PdConfig | undefined;
  /** What translateName needs of the configuration, built once per configure. */
  #target: TranslationTarget | undefined;
  #send: Send;
  /** Requests still running, with what cancels them and their cancelled answer. */
  #active = new Map<number, { controller: AbortController; cancelled: () => ApiMessage }>();

  /** @param send Posts a message to the broker. */
  constructor(send: Send) {
    this.#send = send;
  }

  /** Handles one message from the broker. */
  receive(message: ServiceMessage): void {
    switch (message.type) {
      case "configure":
        this.#config = message.config;
        this.#target = undefined;
        return;
      case "request":
        return this.#request(message.requestId, message.request);
      case "cancel": {
        const active = this.#active.get(message.requestId);
        if (!active) return; // It ended before the cancel arrived; its answer is on the way.
        this.#active.delete(message.requestId);
        active.controller.abort();
        return this.#reply(message.requestId, active.cancelled());
      }
      default: {
        const never: never = message;
        throw new TypeError(`Cannot handle broker message: ${JSON.stringify(never)}`);
      }
    }
  }

  #reply(requestId: number, message: ApiMessage, transfer?: Transferable[]): void {
    this.#send({ type: "reply", requestId, message }, transfer);
  }

  /** Registers a running request; returns its signal and a check that it is still wanted. */
  #start(requestId: number, cancelled: () => ApiMessage) {
    const controller = new AbortController();
    const entry = { controller, cancelled };
    this.#active.set(requestId, entry);
    return {
      signal: controller.signal,
      live: () => this.#active.get(requestId) === entry,
      end: () => {
        if (this.#active.get(requestId) === entry) this.#active.delete(requestId);
      },
    };
  }

  #request(requestId: number, request: PdRequest): void {
    const config = this.#config;
    if (!config || config.pd.pdId !== request.pdId) {
      this.#send({
        type: "fault",
        requestId,
        detail: `Cannot serve ${request.type}: this worker serves ${
          config ? `"${config.pd.pdId}"` : "no PD yet"
        }, not "${request.pdId}"`,
      });
      return;
    }
    switch (request.type) {
      case "get-configuration-data":
        // The broker answers these itself; a worker answers the same, from the same function.
        return this.#reply(requestId, configurationData(config.pd, request));
      case "translate-name":
        return this.#translate(requestId, request, config);
      case "connect-to-address":
      case "connect-to-address-from-address":
        return void this.#connect(requestId, request, config);
      default: {
        const never: never = request;
        throw new TypeError(`Cannot serve request: ${JSON.stringify(never)}`);
      }
    }
  }

  /** §3.3.7.18: the host table, then this PD's DNS servers only (mDNS for .local), per search candidate. */
  #translate(requestId: number, request: TranslateName, config: PdConfig): void {
    const { translationId, pdId } = request;
    const run = this.#start(requestId, () => ({
      type: "name-translation-done",
      translationId,
      pdId,
      reason: "cancelled",
      detail: "Cannot translate name: stopped by the subscriber",
    }));
    translateName(
      request.name,
      request.family,
      this.#target ??= translationTarget(config),
      (event) => {
        if (!run.live()) return;
        if (event.type === "address") {
          const { address, ttl, server, name } = event;
          this.#reply(requestId, {
            type: "name-translation",
            translationId,
            pdId,
            address,
            ...(ttl === undefined ? {} : { ttl }),
            server,
            ...(name === undefined ? {} : { name }),
          });
          return;
        }
        run.end();
        const { reason, detail } = event;
        this.#reply(requestId, {
          type: "name-translation-done",
          translationId,
          pdId,
          ...(reason === undefined ? {} : { reason }),
          ...(detail === undefined ? {} : { detail }),
        });
      },
      run.signal,
    ).catch((error: unknown) => {
      if (!run.live()) return;
      run.end();
      this.#send({
        type: "fault",
        requestId,
        detail: `Cannot translate name: ${describeError(error)}`,
      });
    });
  }

  /** §3.3.7.21–23: connect from the PD's sources; the socket stays in this worker. */
  async #connect(
    requestId: number,
    request: ConnectToAddress | ConnectToAddressFromAddress,
    config: PdConfig,
  ): Promise<void> {
    const { connectionId, pdId, address, port } = request;
    const fail = (
      reason: "cancelled" | "no-source-address" | "source-not-in-pd" | "unreachable",
      detail: string,
    ) => ({ type: "not-connected", connectionId, pdId, reason, detail }) as const;
    const unroutable = routeProblem(config.pd, address);
    if (unroutable) return this.#reply(requestId, fail("unreachable", unroutable));
    const choice = connectSources(request, config.pd, Date.now());
    if ("reason" in choice) return this.#reply(requestId, fail(choice.reason, choice.detail));
    const run = this.#start(
      requestId,
      () => fail("cancelled", "Cannot connect: stopped by the subscriber"),
    );
    const tlsOptions = request.tls === true ? {} : request.tls || undefined;
    const timeout = request.timeout ?? config.settings.connectTimeout;
    const deadline = Date.now() + timeout;
    const reader = new SocketReader();
    const outcome = await connectTcp({
      host: zoned(address, config.interfaceId),
      port,
      sources: choice.sources.map((s) => zoned(s, config.interfaceId)),
      timeout,
      // A TLS socket is read through its 'data' events: node:tls decrypts what the TCP socket reads.
      ...(tlsOptions ? {} : { onread: reader.onread }),
    }, run.signal);
    if (!run.live()) {
      if (outcome.ok) outcome.socket.destroy();
      return;
    }
    if (!outcome.ok) {
      run.end();
      const { reason, detail } = outcome;
      return this.#reply(requestId, { type: "not-connected", connectionId, pdId, reason, detail });
    }
    let socket: Socket = outcome.socket;
    let tls: TlsInfo | undefined;
    let dataFlow: DataFlow | undefined;
    if (tlsOptions) {
      // The handshake counts inside the attempt's timeout; a cancel destroys the socket.
      const { tlsDataFlow, upgradeTls } = await loadTls();
      const secured = await upgradeTls(socket, address, tlsOptions, deadline, run.signal);
      if (!run.live()) {
        if (secured.ok) secured.socket.destroy();
        return;
      }
      if (!secured.ok) {
        run.end();
        const name = tlsOptions.serverName ?? address;
        return this.#reply(requestId, {
          type: "not-connected",
          connectionId,
          pdId,
          reason: "tls",
          detail:
            `Cannot connect to ${address} port ${port} over TLS as ${name}: ${secured.detail}`,
        });
      }
      socket = secured.socket;
      tls = secured.info;
      dataFlow = tlsDataFlow(outcome.socket);
    }
    run.end();
    const channel = new MessageChannel();
    pumpSocket(socket, reader, channel.port1, () => {}, dataFlow);
    this.#reply(requestId, {
      type: "connected",
      connectionId,
      pdId,
      token: crypto.randomUUID(),
      source: choice.sources.find((s) => zoned(s, config.interfaceId) === outcome.source)!,
      sourcePort: outcome.socket.localPort!,
      address,
      port,
      ...(tls ? { tls } : {}),
    }, [channel.port2]);
  }
}

/** What translateName needs of a PD's configuration. */
function translationTarget(config: PdConfig): TranslationTarget {
  const { settings } = config;
  return {
    interfaceId: config.interfaceId,
    servers: dnsServers(config.pd),
    addresses: config.pd.addresses,
    hostsFile: settings.hostsFile,
    timeout: settings.dnsTimeout,
    attempts: settings.dnsAttempts,
    searchDomains: searchDomains(config.pd),
    ndots: settings.ndots,
    mdnsSingleLabel: settings.mdnsSingleLabel,
  };
}

/** The TLS modules, loaded on the first TLS connection. */
function loadTls(): Promise<typeof import("./net/tls_upgrade.ts")> {
  return import("./net/tls_upgrade.ts");
}
