import {
  buildClientSchema,
  getNamedType,
  GraphQLError,
  GraphQLField,
  GraphQLSchema,
  IntrospectionQuery,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  parse,
  Source,
  Lexer,
  TokenKind,
  validate,
  GraphQLNamedType,
} from 'graphql';

/** One problem of a GraphQL document, positioned for the editor (1-based line and column). */
export interface GraphQLProblem {
  message: string;
  line?: number;
  column?: number;
}

/** A name the editor may insert at the caret: a field of the type there, or an argument of the field being called. */
export interface GraphQLCompletion {
  label: string;
  kind: 'field' | 'argument' | 'type';
  detail: string;
}

/** The client schema of an introspection answer, or undefined when it is not one. */
export function schemaFromIntrospection(data: IntrospectionQuery | undefined): GraphQLSchema | undefined {
  if (!data?.__schema) {
    return undefined;
  }
  try {
    return buildClientSchema(data, { assumeValid: true });
  } catch {
    return undefined;
  }
}

function problem(e: GraphQLError): GraphQLProblem {
  const loc = e.locations?.[0];
  return { message: e.message, line: loc?.line, column: loc?.column };
}

/**
 * The document's problems against the schema (syntax first, then graphql-js's validation rules: unknown fields and
 * arguments, wrong types, undefined variables...). Dashboard variables (${var}, [[var]]) are replaced by a neutral
 * value of the same length first, so positions stay right and a template is not an error.
 */
export function validateDocument(text: string, schema?: GraphQLSchema): GraphQLProblem[] {
  if (!text.trim()) {
    return [];
  }
  const neutral = text.replace(/\$\{[^}]*\}|\[\[[^\]]*\]\]/g, (m) => '0'.padEnd(m.length, ' '));
  let doc;
  try {
    doc = parse(new Source(neutral));
  } catch (e) {
    return e instanceof GraphQLError ? [problem(e)] : [{ message: String(e) }];
  }
  if (!schema) {
    return [];
  }
  return validate(schema, doc).slice(0, 10).map(problem);
}

function fieldsOf(t: GraphQLNamedType | undefined): Array<GraphQLField<unknown, unknown>> {
  if (t && (isObjectType(t) || isInterfaceType(t))) {
    return Object.values(t.getFields());
  }
  return [];
}

interface Frame {
  type?: GraphQLNamedType;
}

/**
 * What may be typed at offset: the fields of the type whose selection set the caret is in, or the arguments of the
 * field whose parentheses it is in, or the types after "on". A lexer walk over the text before the caret (no parse,
 * so an unfinished document still completes): "{" enters the type of the field before it (the operation's root type
 * at the top), "}" leaves it, "(" after a field opens its arguments.
 */
export function completionsAt(text: string, offset: number, schema?: GraphQLSchema): GraphQLCompletion[] {
  if (!schema) {
    return [];
  }
  const before = text.slice(0, offset);
  // The word being typed is the filter; the lexer sees the text before it.
  const partial = /[_A-Za-z][_0-9A-Za-z]*$/.exec(before)?.[0] ?? '';
  const lexer = new Lexer(new Source(before.slice(0, before.length - partial.length)));
  const stack: Frame[] = [];
  let op: 'query' | 'mutation' | 'subscription' = 'query';
  let lastField: GraphQLField<unknown, unknown> | undefined;
  let parens = 0;
  let argsOf: GraphQLField<unknown, unknown> | undefined;
  let afterOn = false;
  let directive = false;
  let fragmentType: GraphQLNamedType | undefined;
  try {
    for (let tok = lexer.advance(); tok.kind !== TokenKind.EOF; tok = lexer.advance()) {
      switch (tok.kind) {
        case TokenKind.AT:
          directive = parens === 0;
          break;
        case TokenKind.NAME:
          if (parens > 0) {
            break;
          }
          if (directive) {
            directive = false; // @include(...) keeps the field before it
            break;
          }
          if (stack.length === 0 && (tok.value === 'mutation' || tok.value === 'subscription' || tok.value === 'query')) {
            op = tok.value;
          }
          if (afterOn) {
            fragmentType = schema.getType(tok.value) ?? undefined;
            afterOn = false;
            break;
          }
          afterOn = tok.value === 'on';
          lastField = fieldsOf(stack[stack.length - 1]?.type).find((f) => f.name === tok.value);
          break;
        case TokenKind.PAREN_L:
          if (parens++ === 0) {
            argsOf = directive ? undefined : lastField;
          }
          break;
        case TokenKind.PAREN_R:
          parens = Math.max(0, parens - 1);
          break;
        case TokenKind.BRACE_L:
          if (parens > 0) {
            parens++; // an object value inside arguments
            break;
          }
          if (fragmentType) {
            stack.push({ type: fragmentType });
          } else if (stack.length === 0) {
            const root =
              op === 'mutation'
                ? schema.getMutationType()
                : op === 'subscription'
                  ? schema.getSubscriptionType()
                  : schema.getQueryType();
            stack.push({ type: root ?? undefined });
          } else {
            stack.push({ type: lastField ? getNamedType(lastField.type) : undefined });
          }
          fragmentType = undefined;
          lastField = undefined;
          break;
        case TokenKind.BRACE_R:
          if (parens > 0) {
            parens--;
            break;
          }
          stack.pop();
          break;
      }
    }
  } catch {
    // An unterminated string or a stray character: complete nothing rather than something wrong.
    return [];
  }
  const match = (name: string) => name.toLowerCase().startsWith(partial.toLowerCase());
  if (afterOn) {
    return Object.values(schema.getTypeMap())
      .filter((t) => !t.name.startsWith('__') && (isObjectType(t) || isInterfaceType(t) || isUnionType(t)) && match(t.name))
      .map((t) => ({ label: t.name, kind: 'type' as const, detail: isObjectType(t) ? 'object' : 'abstract' }));
  }
  if (parens > 0 && argsOf) {
    return argsOf.args
      .filter((a) => match(a.name))
      .map((a) => ({ label: a.name, kind: 'argument' as const, detail: String(a.type) }));
  }
  if (parens > 0) {
    return [];
  }
  const here = stack[stack.length - 1]?.type;
  if (!here || isInputObjectType(here)) {
    return [];
  }
  return fieldsOf(here)
    .filter((f) => match(f.name))
    .map((f) => ({ label: f.name, kind: 'field' as const, detail: String(f.type) }));
}

/** Inserts a completion at offset, replacing the word being typed there; returns the new text and caret. */
export function insertCompletion(text: string, offset: number, label: string): { text: string; caret: number } {
  const partial = /[_A-Za-z][_0-9A-Za-z]*$/.exec(text.slice(0, offset))?.[0] ?? '';
  const start = offset - partial.length;
  return { text: text.slice(0, start) + label + text.slice(offset), caret: start + label.length };
}
