import type { StringShape } from './model';
import { CurServiceError, validationError } from './service-error';

export type JsonObject = Record<string, unknown>;

/**
 * Reads one JSON structure of a request against the model, the way AWS's request validation does: a value of the
 * wrong JSON type cannot be read at all (SerializationException), while every constraint a readable value breaks is
 * collected and reported together in one ValidationException, in AWS's words ("1 validation error detected: Value
 * 'x' at 'reportDefinition.reportName' failed to satisfy constraint: ...").
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
    if (typeof value !== 'object' || Array.isArray(value)) throw this.unreadable(name, 'a structure');
    return new StructureReader(value as JsonObject, `${this.pathOf(name)}.`, this.violations);
  }

  string(name: string, shape: StringShape, required: boolean): string | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return this.absent(name, required);
    if (typeof value !== 'string') throw this.unreadable(name, 'a string');
    if (shape.minLength !== undefined && value.length < shape.minLength) {
      this.violate(name, value, `Member must have length greater than or equal to ${shape.minLength}`);
    }
    if (value.length > shape.maxLength) {
      this.violate(name, value, `Member must have length less than or equal to ${shape.maxLength}`);
    }
    if (!new RegExp(`^(?:${shape.pattern})$`).test(value)) {
      this.violate(name, value, `Member must satisfy regular expression pattern: ${shape.pattern}`);
    }
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

  boolean(name: string): boolean | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.unreadable(name, 'a boolean');
    return value;
  }

  integer(name: string, range: { min: number; max: number }): number | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw this.unreadable(name, 'an integer');
    if (value < range.min)
      this.violate(name, String(value), `Member must have value greater than or equal to ${range.min}`);
    if (value > range.max)
      this.violate(name, String(value), `Member must have value less than or equal to ${range.max}`);
    return value;
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
    this.violations.push(`Value '${shownValue}' at '${this.pathOf(name)}' failed to satisfy constraint: ${constraint}`);
  }

  private unreadable(name: string, expected: string): CurServiceError {
    return new CurServiceError('SerializationException', `Expected ${expected} at '${this.pathOf(name)}'`);
  }
}

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

function enumConstraint(allowed: readonly string[]): string {
  return `Member must satisfy enum value set: [${allowed.join(', ')}]`;
}
