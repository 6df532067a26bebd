import { commonError, validationError, type AwsServiceError, type JsonObject } from './service-error';

/** A string member's constraints; `pattern` is the model's text, which AWS matches against the whole value. */
export interface StringShape {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

/** A list's `length` or a number's `range` trait. */
export interface Bounds {
  min?: number;
  max?: number;
}

/**
 * Reads one JSON structure of a request against the model, the way AWS's request validation does: a value of the
 * wrong JSON type cannot be read at all (SerializationException), while every constraint a readable value breaks is
 * collected and reported together in one ValidationException, in AWS's words ("1 validation error detected: Value
 * 'x' at 'reportDefinition.reportName' failed to satisfy constraint: ..."). Members of a list of structures are
 * addressed as AWS does, `resourceTags.2.member.key`.
 */
export class StructureReader {
  private constructor(
    private readonly fields: JsonObject,
    private readonly path: string,
    private readonly violations: string[],
  ) {}

  static root(input: JsonObject): StructureReader {
    return new StructureReader(input, '', []);
  }

  throwIfInvalid(): void {
    const count = this.violations.length;
    if (count === 0) return;
    throw validationError(`${count} validation error${count === 1 ? '' : 's'} detected: ${this.violations.join('; ')}`);
  }

  structure(name: string, required: boolean): StructureReader | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return this.absent(name, required);
    if (!isJsonObject(value)) throw this.unreadable(name, 'a structure');
    return new StructureReader(value, `${this.pathOf(name)}.`, this.violations);
  }

  structureList(name: string, required: boolean, length: Bounds = {}): StructureReader[] | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return this.absent(name, required);
    if (!Array.isArray(value)) throw this.unreadable(name, 'a list');
    if (!value.every(isJsonObject)) throw this.unreadable(name, 'a list of structures');
    this.checkLength(name, `[${value.length} members]`, value.length, length);
    return value.map(
      (member, index) => new StructureReader(member, `${this.pathOf(name)}.${index + 1}.member.`, this.violations),
    );
  }

  string(name: string, shape: StringShape, required: boolean): string | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return this.absent(name, required);
    if (typeof value !== 'string') throw this.unreadable(name, 'a string');
    for (const constraint of stringConstraintsBroken(value, shape)) this.violate(name, value, constraint);
    return value;
  }

  stringList(name: string, memberShape: StringShape, required: boolean, length: Bounds = {}): string[] | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return this.absent(name, required);
    if (!Array.isArray(value)) throw this.unreadable(name, 'a list');
    if (!value.every((member): member is string => typeof member === 'string')) {
      throw this.unreadable(name, 'a list of strings');
    }
    const shown = `[${value.join(', ')}]`;
    this.checkLength(name, shown, value.length, length);
    const broken = new Set(value.flatMap((member) => stringConstraintsBroken(member, memberShape)));
    for (const constraint of broken) this.violate(name, shown, `Member must satisfy constraint: [${constraint}]`);
    return value;
  }

  enumValue<T extends string>(name: string, allowed: readonly T[], required: boolean): T | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return this.absent(name, required);
    if (typeof value !== 'string') throw this.unreadable(name, 'a string');
    if (!isOneOf(value, allowed)) this.violate(name, value, enumConstraint(allowed));
    return value as T;
  }

  enumList<T extends string>(name: string, allowed: readonly T[], required: boolean): T[] | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return this.absent(name, required);
    if (!Array.isArray(value)) throw this.unreadable(name, 'a list');
    if (!value.every((member): member is string => typeof member === 'string')) {
      throw this.unreadable(name, 'a list of strings');
    }
    if (!value.every((member) => isOneOf(member, allowed))) {
      this.violate(name, `[${value.join(', ')}]`, `Member must satisfy constraint: [${enumConstraint(allowed)}]`);
    }
    return value as T[];
  }

  /** A map of strings to strings, keys and values each held to their shape. */
  stringMap(
    name: string,
    keyShape: StringShape,
    valueShape: StringShape,
    required: boolean,
  ): Record<string, string> | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return this.absent(name, required);
    return this.readStringMap(this.pathOf(name), value, keyShape, valueShape);
  }

  /** A map of strings to maps of strings (Data Exports' TableConfigurations). */
  mapOfStringMaps(
    name: string,
    keyShape: StringShape,
    innerKeyShape: StringShape,
    innerValueShape: StringShape,
    required: boolean,
  ): Record<string, Record<string, string>> | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return this.absent(name, required);
    if (!isJsonObject(value)) throw this.unreadable(name, 'a map');
    const keysBroken = new Set(Object.keys(value).flatMap((key) => stringConstraintsBroken(key, keyShape)));
    for (const constraint of keysBroken) {
      this.violate(name, showMap(value), `Map keys must satisfy constraint: [${constraint}]`);
    }
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        this.readStringMap(`${this.pathOf(name)}.${key}`, inner, innerKeyShape, innerValueShape),
      ]),
    );
  }

  boolean(name: string): boolean | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.unreadable(name, 'a boolean');
    return value;
  }

  integer(name: string, range: Bounds): number | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw this.unreadable(name, 'an integer');
    if (range.min !== undefined && value < range.min) {
      this.violate(name, String(value), `Member must have value greater than or equal to ${range.min}`);
    }
    if (range.max !== undefined && value > range.max) {
      this.violate(name, String(value), `Member must have value less than or equal to ${range.max}`);
    }
    return value;
  }

  private readStringMap(
    path: string,
    value: unknown,
    keyShape: StringShape,
    valueShape: StringShape,
  ): Record<string, string> {
    if (!isJsonObject(value)) throw this.unreadableAt(path, 'a map');
    const entries = Object.entries(value);
    if (!entries.every((entry): entry is [string, string] => typeof entry[1] === 'string')) {
      throw this.unreadableAt(path, 'a map of strings');
    }
    const shown = showMap(value);
    const keysBroken = new Set(entries.flatMap(([key]) => stringConstraintsBroken(key, keyShape)));
    const valuesBroken = new Set(entries.flatMap(([, member]) => stringConstraintsBroken(member, valueShape)));
    for (const constraint of keysBroken) {
      this.violateAt(path, shown, `Map keys must satisfy constraint: [${constraint}]`);
    }
    for (const constraint of valuesBroken) {
      this.violateAt(path, shown, `Map value must satisfy constraint: [${constraint}]`);
    }
    return Object.fromEntries(entries);
  }

  private checkLength(name: string, shownValue: string, length: number, bounds: Bounds): void {
    if (bounds.min !== undefined && length < bounds.min) {
      this.violate(name, shownValue, `Member must have length greater than or equal to ${bounds.min}`);
    }
    if (bounds.max !== undefined && length > bounds.max) {
      this.violate(name, shownValue, `Member must have length less than or equal to ${bounds.max}`);
    }
  }

  private pathOf(name: string): string {
    return `${this.path}${name.charAt(0).toLowerCase()}${name.slice(1)}`;
  }

  private absent(name: string, required: boolean): undefined {
    if (required) {
      this.violations.push(
        `Value null at '${this.pathOf(name)}' failed to satisfy constraint: Member must not be null`,
      );
    }
    return undefined;
  }

  private violate(name: string, shownValue: string, constraint: string): void {
    this.violateAt(this.pathOf(name), shownValue, constraint);
  }

  private violateAt(path: string, shownValue: string, constraint: string): void {
    this.violations.push(`Value '${shownValue}' at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  private unreadable(name: string, expected: string): AwsServiceError {
    return this.unreadableAt(this.pathOf(name), expected);
  }

  private unreadableAt(path: string, expected: string): AwsServiceError {
    return commonError('SerializationException', `Expected ${expected} at '${path}'`);
  }
}

/** The members a reader found, without those it did not, so that a structure is given back as the caller sent it. */
export function presentOnly<T extends object>(members: T): Partial<T> {
  return Object.fromEntries(Object.entries(members).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function stringConstraintsBroken(value: string, shape: StringShape): string[] {
  const broken: string[] = [];
  if (shape.minLength !== undefined && value.length < shape.minLength) {
    broken.push(`Member must have length greater than or equal to ${shape.minLength}`);
  }
  if (shape.maxLength !== undefined && value.length > shape.maxLength) {
    broken.push(`Member must have length less than or equal to ${shape.maxLength}`);
  }
  if (shape.pattern !== undefined && !new RegExp(`^(?:${shape.pattern})$`).test(value)) {
    broken.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  return broken;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

function enumConstraint(allowed: readonly string[]): string {
  return `Member must satisfy enum value set: [${allowed.join(', ')}]`;
}

/** As AWS's Java front end prints a map in a message: {key=value, ...}. */
function showMap(map: JsonObject): string {
  return `{${Object.entries(map)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ')}}`;
}
