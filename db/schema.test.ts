/**
 * db/schema.ts is written by hand; this compares it with what a freshly migrated database reports, so
 * the two cannot drift apart silently. The TypeScript side is read with the compiler API (syntax
 * only), the database side from information_schema.columns.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { describeDb } from '../tests/setup/db';

/** table → column → the text of its TypeScript type */
type TsSchema = Map<string, Map<string, string>>;

interface DbColumn {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
  data_type: string;
  udt_name: string;
  column_default: string | null;
  is_identity: 'YES' | 'NO';
}

interface ParsedSchema {
  tables: TsSchema;
  /** type aliases that stand for a set of strings: unions of string literals, `(typeof CONST)[number]` */
  stringAliases: Set<string>;
}

const SCHEMA_FILE = fileURLToPath(new URL('./schema.ts', import.meta.url));

function parseSchema(source: string): ParsedSchema {
  const file = ts.createSourceFile('schema.ts', source, ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const aliases = new Map<string, ts.TypeNode>();
  const stringTuples = new Set<string>();
  for (const statement of file.statements) {
    if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement);
    if (ts.isTypeAliasDeclaration(statement)) aliases.set(statement.name.text, statement.type);
    if (ts.isVariableStatement(statement)) {
      for (const decl of statement.declarationList.declarations) {
        if (ts.isIdentifier(decl.name) && decl.initializer && isConstStringArray(decl.initializer)) {
          stringTuples.add(decl.name.text);
        }
      }
    }
  }

  const stringAliases = new Set<string>();
  for (const [name, node] of aliases) {
    if (isStringSet(node, stringTuples)) stringAliases.add(name);
  }

  const database = interfaces.get('Database');
  if (!database) throw new Error('db/schema.ts has no `interface Database`');
  const tables: TsSchema = new Map();
  for (const member of database.members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const table = member.name.getText(file);
    const interfaceName = member.type.getText(file);
    const decl = interfaces.get(interfaceName);
    if (!decl)
      throw new Error(`Database.${table} refers to ${interfaceName}, which is not an interface here`);
    const columns = new Map<string, string>();
    for (const column of decl.members) {
      if (!ts.isPropertySignature(column) || !column.type) continue;
      columns.set(column.name.getText(file), column.type.getText(file).replace(/\s+/g, ' '));
    }
    tables.set(table, columns);
  }
  return { tables, stringAliases };
}

function isConstStringArray(node: ts.Expression): boolean {
  return (
    ts.isAsExpression(node) &&
    node.type.getText() === 'const' &&
    ts.isArrayLiteralExpression(node.expression) &&
    node.expression.elements.every((e) => ts.isStringLiteral(e))
  );
}

function isStringSet(node: ts.TypeNode, stringTuples: Set<string>): boolean {
  if (ts.isParenthesizedTypeNode(node)) return isStringSet(node.type, stringTuples);
  if (ts.isUnionTypeNode(node)) return node.types.every((t) => isStringSet(t, stringTuples));
  if (ts.isLiteralTypeNode(node)) return ts.isStringLiteral(node.literal);
  // (typeof ROLES)[number]
  if (ts.isIndexedAccessTypeNode(node) && node.indexType.kind === ts.SyntaxKind.NumberKeyword) {
    const object = ts.isParenthesizedTypeNode(node.objectType) ? node.objectType.type : node.objectType;
    return ts.isTypeQueryNode(object) && stringTuples.has(object.exprName.getText());
  }
  return false;
}

/** Splits `A | B<C | D> | 'x|y'` into its top-level union members. */
function splitUnion(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if ('<([{'.includes(ch)) {
      depth++;
    } else if ('>)]}'.includes(ch)) {
      depth--;
    } else if (ch === '|' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts.filter((p) => p !== '');
}

type Family = 'string' | 'number' | 'boolean' | 'date' | 'json' | 'string[]' | 'bytes';

function pgFamily(column: Pick<DbColumn, 'data_type' | 'udt_name'>): Family | null {
  switch (column.data_type) {
    case 'uuid':
    case 'text':
      return 'string';
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'real':
    case 'double precision':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'timestamp with time zone':
      return 'date';
    case 'jsonb':
      return 'json';
    case 'bytea':
      return 'bytes';
    case 'ARRAY':
      return column.udt_name === '_text' ? 'string[]' : null;
    default:
      return null;
  }
}

interface TsColumnInfo {
  nullable: boolean;
  hasDefault: boolean;
  /** the union members of the value type, with `null` and `Generated<…>` taken off */
  members: string[];
}

function describeTsType(text: string): TsColumnInfo {
  const top = splitUnion(text);
  const nullable = top.includes('null');
  let members = top.filter((m) => m !== 'null');
  let hasDefault = false;
  if (members.length === 1) {
    const only = members[0]!;
    const generated = /^Generated<(.*)>$/.exec(only);
    if (generated) {
      hasDefault = true;
      members = splitUnion(generated[1]!);
    } else if (only === 'GeneratedTimestamp' || only === 'TextArray' || /^JsonDefault\b/.test(only)) {
      hasDefault = true;
    }
  }
  return { nullable, hasDefault, members };
}

function memberFits(member: string, family: Family, stringAliases: Set<string>): boolean {
  switch (family) {
    case 'string':
      return member === 'string' || /^'[^']*'$/.test(member) || stringAliases.has(member);
    case 'number':
      return member === 'number';
    case 'boolean':
      return member === 'boolean';
    case 'date':
      return member === 'Timestamp' || member === 'GeneratedTimestamp';
    case 'json':
      return /^(Json|JsonDefault)(<.*>)?$/.test(member);
    case 'string[]':
      return member === 'TextArray';
    case 'bytes':
      return member === 'Uint8Array';
  }
}

/** Every difference between the TypeScript tables and the database columns, one message each. */
function compareSchema(parsed: ParsedSchema, dbColumns: readonly DbColumn[]): string[] {
  const problems: string[] = [];
  const dbTables = new Map<string, Map<string, DbColumn>>();
  for (const column of dbColumns) {
    if (column.table_name.startsWith('kysely_')) continue;
    let table = dbTables.get(column.table_name);
    if (!table) dbTables.set(column.table_name, (table = new Map()));
    table.set(column.column_name, column);
  }

  for (const table of dbTables.keys()) {
    if (!parsed.tables.has(table))
      problems.push(`${table}: table is in the database but not in db/schema.ts`);
  }
  for (const [table, tsColumns] of parsed.tables) {
    const columns = dbTables.get(table);
    if (!columns) {
      problems.push(`${table}: table is in db/schema.ts but not in the database`);
      continue;
    }
    for (const name of columns.keys()) {
      if (!tsColumns.has(name))
        problems.push(`${table}.${name}: column is in the database but not in db/schema.ts`);
    }
    for (const [name, typeText] of tsColumns) {
      const column = columns.get(name);
      const where = `${table}.${name}`;
      if (!column) {
        problems.push(`${where}: column is in db/schema.ts but not in the database`);
        continue;
      }
      const info = describeTsType(typeText);
      const dbNullable = column.is_nullable === 'YES';
      if (info.nullable !== dbNullable) {
        problems.push(
          `${where}: nullability differs: TS type \`${typeText}\` ` +
            `${info.nullable ? 'allows' : 'does not allow'} null, ` +
            `the column is ${dbNullable ? 'NULL' : 'NOT NULL'}`,
        );
      }
      const dbDefault = column.column_default !== null || column.is_identity === 'YES';
      if (info.hasDefault !== dbDefault) {
        problems.push(
          `${where}: default differs: TS type \`${typeText}\` ` +
            `${info.hasDefault ? 'says there is a default' : 'says there is no default'}, the column has ` +
            (dbDefault ? `default ${column.column_default ?? '(identity)'}` : 'no default'),
        );
      }
      const family = pgFamily(column);
      if (!family) {
        problems.push(
          `${where}: PostgreSQL type ${column.data_type} (${column.udt_name}) has no mapping in this test`,
        );
      } else if (!info.members.every((m) => memberFits(m, family, parsed.stringAliases))) {
        problems.push(
          `${where}: type differs: TS type \`${typeText}\` does not fit PostgreSQL ${column.data_type}` +
            `${column.data_type === 'ARRAY' ? ` (${column.udt_name})` : ''}, expected a ${family} type`,
        );
      }
    }
  }
  return problems;
}

describe('compareSchema', () => {
  const column = (over: Partial<DbColumn> & Pick<DbColumn, 'column_name'>): DbColumn => ({
    table_name: 'users',
    is_nullable: 'NO',
    data_type: 'text',
    udt_name: 'text',
    column_default: null,
    is_identity: 'NO',
    ...over,
  });
  const parsed = (columns: Record<string, string>, table = 'users'): ParsedSchema => ({
    tables: new Map([[table, new Map(Object.entries(columns))]]),
    stringAliases: new Set(['Severity']),
  });

  it('accepts columns that agree', () => {
    const db = [
      column({ column_name: 'id', data_type: 'uuid', udt_name: 'uuid', column_default: 'gen_random_uuid()' }),
      column({ column_name: 'n', data_type: 'bigint', udt_name: 'int8', is_identity: 'YES' }),
      column({ column_name: 'sev', is_nullable: 'YES' }),
      column({ column_name: 'tags', data_type: 'ARRAY', udt_name: '_text', column_default: "'{}'::text[]" }),
      column({ column_name: 'status', column_default: "'open'::text" }),
      column({ column_name: 'at', data_type: 'timestamp with time zone', udt_name: 'timestamptz' }),
      column({ column_name: 'meta', data_type: 'jsonb', udt_name: 'jsonb', is_nullable: 'YES' }),
      column({ table_name: 'kysely_migration', column_name: 'name' }),
    ];
    const schema = parsed({
      id: 'Generated<string>',
      n: 'Generated<number>',
      sev: 'Severity | null',
      tags: 'TextArray',
      status: "Generated<'open' | 'closed'>",
      at: 'Timestamp',
      meta: 'Json<Record<string, unknown>> | null',
    });
    expect(compareSchema(schema, db)).toEqual([]);
  });

  it('reports a wrong nullability, default, type family and missing columns by table.column', () => {
    const db = [
      column({ column_name: 'email' }),
      column({ column_name: 'active', data_type: 'boolean', udt_name: 'bool', column_default: 'true' }),
      column({ column_name: 'id', data_type: 'uuid', udt_name: 'uuid', column_default: 'gen_random_uuid()' }),
      column({ column_name: 'only_in_db' }),
      column({ column_name: 'odd', data_type: 'numeric', udt_name: 'numeric' }),
    ];
    const schema = parsed({
      email: 'string | null',
      active: 'boolean',
      id: 'Generated<number>',
      only_in_ts: 'string',
      odd: 'number',
    });
    const problems = compareSchema(schema, db);
    expect(problems).toEqual([
      'users.only_in_db: column is in the database but not in db/schema.ts',
      'users.email: nullability differs: TS type `string | null` allows null, the column is NOT NULL',
      'users.active: default differs: TS type `boolean` says there is no default, ' +
        'the column has default true',
      'users.id: type differs: TS type `Generated<number>` does not fit PostgreSQL uuid, ' +
        'expected a string type',
      'users.only_in_ts: column is in db/schema.ts but not in the database',
      'users.odd: PostgreSQL type numeric (numeric) has no mapping in this test',
    ]);
  });

  it('reports tables missing on either side', () => {
    const problems = compareSchema(parsed({ id: 'string' }, 'ghosts'), [column({ column_name: 'id' })]);
    expect(problems).toEqual([
      'users: table is in the database but not in db/schema.ts',
      'ghosts: table is in db/schema.ts but not in the database',
    ]);
  });

  it('does not take an unknown alias or a number literal for a string', () => {
    const problems = compareSchema(parsed({ a: 'Mystery', b: "'x' | 3" }), [
      column({ column_name: 'a' }),
      column({ column_name: 'b' }),
    ]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^users\.a: type differs/);
    expect(problems[1]).toMatch(/^users\.b: type differs/);
  });

  it('splits unions only at the top level', () => {
    expect(splitUnion("Generated<'a' | 'b'> | null")).toEqual(["Generated<'a' | 'b'>", 'null']);
    expect(splitUnion("'a|b' | Json<Record<string, number | null>>")).toEqual([
      "'a|b'",
      'Json<Record<string, number | null>>',
    ]);
  });
});

describe('parseSchema on db/schema.ts', () => {
  const parsed = parseSchema(fs.readFileSync(SCHEMA_FILE, 'utf8'));

  it('finds every table of interface Database with its columns', () => {
    expect(parsed.tables.size).toBe(34);
    expect(parsed.tables.get('users')?.get('password_hash')).toBe('string | null');
    expect(parsed.tables.get('pairs')?.get('status')).toBe("Generated<'open' | 'closed'>");
  });

  it('recognises the string aliases, and only those', () => {
    expect([...parsed.stringAliases].sort()).toEqual([
      'AssignmentStatus',
      'FlagCategory',
      'JobStatus',
      'PrelabelSource',
      'ProjectType',
      'RewardAxis',
      'Role',
      'SentimentRoute',
      'Severity',
    ]);
  });
});

describeDb('schema matches db/schema.ts', ({ db }) => {
  const parsed = parseSchema(fs.readFileSync(SCHEMA_FILE, 'utf8'));

  async function columns(): Promise<DbColumn[]> {
    const result = await sql<DbColumn>`
      SELECT table_name, column_name, is_nullable, data_type, udt_name, column_default, is_identity
      FROM information_schema.columns
      WHERE table_schema = 'public'
      ORDER BY table_name, ordinal_position
    `.execute(db());
    return result.rows.filter((c) => !c.table_name.startsWith('kysely_'));
  }

  it('has the same tables and columns, nullability, defaults and types', async () => {
    const dbColumns = await columns();
    expect(new Set(dbColumns.map((c) => c.table_name)).size).toBe(parsed.tables.size);
    expect(compareSchema(parsed, dbColumns)).toEqual([]);
  });

  it("gives every TextArray (text[]) column a default: '{}', except api_tokens.scopes", async () => {
    const arrays = (await columns()).filter((c) => c.data_type === 'ARRAY');
    const defaults = Object.fromEntries(
      arrays.map((c) => [`${c.table_name}.${c.column_name}`, c.column_default]),
    );
    const textArrays = [...parsed.tables].flatMap(([table, cols]) =>
      [...cols].filter(([, type]) => type === 'TextArray').map(([name]) => `${table}.${name}`),
    );
    expect(Object.keys(defaults).sort()).toEqual(textArrays.sort());
    expect(defaults).toEqual({
      'api_tokens.scopes': "'{read}'::text[]",
      'projects.label_set': "'{}'::text[]",
      'users.domains': "'{}'::text[]",
      'users.languages': "'{}'::text[]",
      'users.roles': "'{}'::text[]",
    });
  });
});
