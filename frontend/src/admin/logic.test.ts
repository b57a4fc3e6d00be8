import { describe, expect, it } from "vitest";
import { fieldErrors, ApiError, parsePagination, query } from "../api";
import {
  checkDays,
  expiryOf,
  formatDuration,
  pagesFor,
  parseEvents,
  retentionChanges,
  routeFor,
  uploadReducer,
  type RetentionRow,
  type UploadState,
} from "./logic";

describe("navigation by role", () => {
  it("shows staff only the inbox and their profile", () => {
    expect(pagesFor("staff").map((p) => p.route)).toEqual(["inbox", "profile"]);
  });
  it("shows admins every page", () => {
    const routes = pagesFor("org_admin").map((p) => p.route);
    expect(routes).toContain("retention");
    expect(routes).toContain("audit");
    expect(routes).toHaveLength(11);
    expect(pagesFor("system_admin")).toHaveLength(11);
  });
  it("sends a hash the role may not see to its home page", () => {
    expect(routeFor("#/users", "staff")).toBe("inbox");
    expect(routeFor("#/users", "org_admin")).toBe("users");
    expect(routeFor("", "org_admin")).toBe("flows");
    expect(routeFor("#/nonsense", "staff")).toBe("inbox");
    expect(routeFor("#/profile", "staff")).toBe("profile");
  });
});

describe("upload progress", () => {
  const idle: UploadState = { phase: "idle" };
  it("moves from uploading through processing to ready", () => {
    let state = uploadReducer(idle, { type: "start", total: 1000 });
    expect(state).toEqual({ phase: "uploading", loaded: 0, total: 1000, percent: 0 });
    state = uploadReducer(state, { type: "progress", loaded: 333, total: 1000 });
    expect(state).toMatchObject({ phase: "uploading", percent: 33 });
    state = uploadReducer(state, { type: "uploaded", assetId: 7, status: "processing" });
    expect(state).toEqual({ phase: "processing", assetId: 7 });
    state = uploadReducer(state, { type: "polled", status: "processing" });
    expect(state.phase).toBe("processing");
    state = uploadReducer(state, { type: "polled", status: "ready" });
    expect(state).toEqual({ phase: "ready", assetId: 7 });
  });
  it("never lets the bar go backwards nor past 100", () => {
    let state = uploadReducer(idle, { type: "start", total: 100 });
    state = uploadReducer(state, { type: "progress", loaded: 80, total: 100 });
    state = uploadReducer(state, { type: "progress", loaded: 50, total: 100 });
    expect(state).toMatchObject({ percent: 80 });
    state = uploadReducer(state, { type: "progress", loaded: 150, total: 100 });
    expect(state).toMatchObject({ percent: 100 });
  });
  it("ignores progress when not uploading and a poll when not processing", () => {
    expect(uploadReducer(idle, { type: "progress", loaded: 5, total: 10 })).toBe(idle);
    const ready: UploadState = { phase: "ready", assetId: 1 };
    expect(uploadReducer(ready, { type: "polled", status: "failed" })).toBe(ready);
  });
  it("reports a failed transcode and field errors", () => {
    const processing: UploadState = { phase: "processing", assetId: 3 };
    expect(uploadReducer(processing, { type: "polled", status: "failed", failure: "not audio" })).toEqual({
      phase: "failed",
      error: "not audio",
      fields: {},
    });
    expect(uploadReducer(idle, { type: "error", error: "validation failed", fields: { key: "taken" } })).toEqual({
      phase: "failed",
      error: "validation failed",
      fields: { key: "taken" },
    });
  });
});

describe("rights expiry", () => {
  const today = new Date(2026, 10, 21);
  it("warns within 30 days and flags a past date", () => {
    expect(expiryOf("2026-12-21", today)).toEqual({ level: "soon", days: 30, on: "2026-12-21" });
    expect(expiryOf("2026-12-22", today)).toEqual({ level: "none" });
    expect(expiryOf("2026-11-21", today)).toEqual({ level: "soon", days: 0, on: "2026-11-21" });
    expect(expiryOf("2026-11-20", today)).toMatchObject({ level: "expired", days: -1 });
    expect(expiryOf(null, today)).toEqual({ level: "none" });
  });
  it("trusts the server's rights_expired status", () => {
    expect(expiryOf(null, today, "rights_expired").level).toBe("expired");
  });
});

describe("retention form", () => {
  const row: RetentionRow = { data_class: "voicemail", days: 30, default_days: 30, min_days: 1, max_days: 365 };
  const audit: RetentionRow = { data_class: "audit", days: 365, default_days: 365, min_days: 90, max_days: 3650 };
  it("checks whole numbers within the bounds", () => {
    expect(checkDays(row, "14")).toEqual({ value: 14 });
    expect(checkDays(row, " 365 ")).toEqual({ value: 365 });
    expect(checkDays(row, "366")).toEqual({ error: "bounds" });
    expect(checkDays(row, "0")).toEqual({ error: "bounds" });
    expect(checkDays(row, "1.5")).toEqual({ error: "whole" });
    expect(checkDays(row, "")).toEqual({ error: "whole" });
  });
  it("sends only changed valid values", () => {
    expect(retentionChanges([row, audit], { voicemail: "30", audit: "400" })).toEqual({ audit: 400 });
    expect(retentionChanges([row, audit], { voicemail: "7", audit: "10" })).toEqual({ voicemail: 7 });
    expect(retentionChanges([row, audit], {})).toEqual({});
  });
});

describe("API helpers", () => {
  it("reads flask-smorest's X-Pagination header", () => {
    expect(parsePagination('{"total": 51, "total_pages": 3, "page": 2, "next_page": 3}')).toMatchObject({
      total: 51,
      total_pages: 3,
      page: 2,
      next_page: 3,
    });
    expect(parsePagination(null, 4)).toEqual({ total: 0, total_pages: 0, page: 4 });
    expect(parsePagination("not json")).toMatchObject({ total: 0 });
  });
  it("builds a query string from the set values", () => {
    expect(query({ box_id: "", state: "open", page: 2, x: null })).toBe("?state=open&page=2");
    expect(query({})).toBe("");
  });
  it("maps the API's field errors", () => {
    const error = new ApiError(400, "validation failed", { error: "validation failed", fields: { audit: ["must be at least 90"], x: "y" } });
    expect(fieldErrors(error)).toEqual({ audit: "must be at least 90", x: "y" });
    expect(fieldErrors(new Error("plain"))).toEqual({});
  });
  it("formats durations and event lists", () => {
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(null)).toBe("");
    expect(parseEvents("a.b, c.d\na.b")).toEqual(["a.b", "c.d"]);
  });
});
