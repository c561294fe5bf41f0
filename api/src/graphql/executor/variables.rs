//! The request's variables as the GraphQL specification (October 2021) has them before a document
//! executes: coerced to the types the operation declares (6.1.2 *CoerceVariableValues*), and a
//! variable without a value read as an argument or input field that was not written (6.4.1
//! *CoerceArgumentValues*; 3.10 Input Objects and 3.11 Lists, "Input Coercion").
//!
//! async-graphql 7.2 does neither, and both executors read their arguments through it
//! (`Context::param_value`, which the lean executor's fields call too):
//! - It never coerces variables against their declared types. Its validator puts the values given
//!   into each argument and checks them against the *argument's* type (`ArgumentsOfCorrectType`),
//!   skipping an argument whose variable was not given. So a required `$slug: String!` left out
//!   executed, and the field failed with `Variable slug is not defined.` (`Context::var_value`):
//!   an `INTERNAL_SERVER_ERROR` beside data where the spec refuses the request.
//! - A nullable variable given no value and no default reads as `null`
//!   (`VariableDefinition::default_value`), and an argument written with it takes that `null`:
//!   `get_param_value` applies an argument's default only when the argument is not written. So
//!   `connectionPath(…, maxHops: $hops)` without `hops` failed with `Expected input type "Int",
//!   found null`, where the spec gives `maxHops` its default, 4.
//!
//! [`coerce`] does the first before anything executes: a variable missing, `null` where its type
//! is non-null, or of a value its type cannot take is a request error coded [`VARIABLES_INVALID`]
//! that names it (no `data`; the GraphQL-over-HTTP spec asks for 400 with
//! `application/graphql-response+json` and 200 with `application/json`, as for a validation
//! failure, which is what `http::graphql` does for every request error). It fills defaults and
//! writes values as the executors read them (`1.0` for an `Int` is `1`, a lone value for a list
//! is a list of one, an integer for an `ID` is its digits). [`without_absent`] does the second:
//! the document that executes leaves out every argument and input field given a variable without
//! a value, and that variable's definition, so both executors see what the spec sees, an
//! argument not written.
//!
//! [`check_usages`] is the validation rule both rely on, which async-graphql has but never
//! applies: a variable goes only where its declared type fits.
//!
//! All three run before async-graphql's validation, which `Schema::execute` runs and which
//! cannot be called alone (`check_rules` is private). The spec validates first, and the document
//! rewritten without a variable's definitions no longer shows them to the validator (two of one
//! name, a type that does not exist), so wherever [`coerce`] finds something (a variable refused,
//! or one without a value) [`validation_errors`] first has async-graphql validate the document as
//! written: a document that is not valid is refused as such, and only a valid one is rewritten.
//! A request whose variables all have values (every request of the benchmark) pays a walk over
//! its arguments (when it declares variables) and a pass over its variable definitions.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use async_graphql::parser::Positioned;
use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, InputValueDefinition, InterfaceType,
    ObjectType, OperationDefinition, OperationType, Selection, SelectionSet, Type, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::{Name, Number, Pos, Request, ServerError, Value as ConstValue, Variables};
use async_graphql_value::Value;

use super::codes::with_code;
use crate::graphql::LibgraphSchema;
use crate::store::error::excerpt;

/// The code of a request refused for its variables: one missing, `null` where its type is
/// non-null, or a value its type cannot take. A request error, like the other `GRAPHQL_` codes
/// of the steps before execution (parsing, validation).
pub const VARIABLES_INVALID: &str = "GRAPHQL_VARIABLES_INVALID";

/// What the schema takes as input, as [`check_usages`] and [`coerce`] need it: the arguments of
/// every field (with the type each field leads to, to walk a document) and the input types. Read
/// from the schema's SDL (`Schema::sdl`), as [`super::shape::Shapes`] is, since async-graphql
/// does not let its registry be read.
pub struct InputTypes {
    /// The query root's name.
    query: Name,
    /// The mutation root's name, when the schema has one.
    mutation: Option<Name>,
    /// Each object and interface type's fields, by name.
    fields: HashMap<Name, HashMap<Name, FieldSignature>>,
    /// Each enum's values.
    enums: HashMap<Name, Vec<Name>>,
    /// Each input object's fields.
    objects: HashMap<Name, Vec<InputField>>,
    /// Scalars the schema defines itself (none today): their values pass as given, and their own
    /// parsing at the field says what is wrong with one.
    scalars: HashSet<Name>,
}

/// A field of an output type: its arguments, and the named type it leads to.
struct FieldSignature {
    arguments: Vec<InputField>,
    leads_to: Name,
}

/// An argument, or a field of an input object.
struct InputField {
    name: Name,
    ty: Type,
    has_default: bool,
}

impl InputField {
    fn from(definition: Positioned<InputValueDefinition>) -> InputField {
        InputField {
            name: definition.node.name.node,
            ty: definition.node.ty.node,
            has_default: definition.node.default_value.is_some(),
        }
    }
}

impl InputTypes {
    /// Reads the input types out of a schema's SDL.
    pub fn from_sdl(sdl: &str) -> Result<InputTypes, String> {
        let mut types = InputTypes {
            query: Name::new("Query"),
            mutation: None,
            fields: HashMap::new(),
            enums: HashMap::new(),
            objects: HashMap::new(),
            scalars: HashSet::new(),
        };
        for definition in parse_schema(sdl).map_err(|e| e.to_string())?.definitions {
            let ty = match definition {
                TypeSystemDefinition::Type(ty) => ty,
                TypeSystemDefinition::Schema(schema) => {
                    if let Some(query) = schema.node.query {
                        types.query = query.node;
                    }
                    types.mutation = schema.node.mutation.map(|m| m.node);
                    continue;
                }
                TypeSystemDefinition::Directive(_) => continue,
            };
            let name = ty.node.name.node;
            match ty.node.kind {
                TypeKind::Object(ObjectType { fields, .. })
                | TypeKind::Interface(InterfaceType { fields, .. }) => {
                    let signatures = fields.into_iter().map(|f| {
                        let f = f.node;
                        let signature = FieldSignature {
                            arguments: f.arguments.into_iter().map(InputField::from).collect(),
                            leads_to: named(&f.ty.node).clone(),
                        };
                        (f.name.node, signature)
                    });
                    types.fields.insert(name, signatures.collect());
                }
                TypeKind::Enum(enumeration) => {
                    let values = enumeration.values.into_iter();
                    types
                        .enums
                        .insert(name, values.map(|v| v.node.value.node).collect());
                }
                TypeKind::InputObject(object) => {
                    let fields = object.fields.into_iter().map(InputField::from);
                    types.objects.insert(name, fields.collect());
                }
                TypeKind::Scalar => {
                    types.scalars.insert(name);
                }
                TypeKind::Union(_) => {}
            }
        }
        Ok(types)
    }
}

/// The named type under a type's lists and non-nulls.
fn named(ty: &Type) -> &Name {
    match &ty.base {
        BaseType::Named(name) => name,
        BaseType::List(item) => named(item),
    }
}

/// The validation rule "All Variable Usages Are Allowed" (spec 5.8.5) for the arguments of
/// fields: a variable goes only where its declared type fits (not a `String` where an `Int`
/// goes), and a nullable one where a value is required only if it, or the place, has a default.
/// async-graphql 7.2 has the rule (`VariableInAllowedPosition`), but the rule never sees a
/// variable used: the chain its rules are visited through (`VisitorCons`) does not pass
/// `enter_input_value` on. So `query($n: String) { libraries(first: $n) { … } }` executed, and
/// `query($s: Int) { organization(slug: $s) { … } }` failed at the field. The variables of
/// `@skip`/`@include` are [`super::rules`]'s. A use on a field the schema does not have, or of
/// an undefined variable, is left to the validator, and so are the arguments of the
/// introspection fields, which the SDL does not show.
pub fn check_usages(
    types: &InputTypes,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
) -> Result<(), ServerError> {
    if operation.variable_definitions.is_empty() {
        return Ok(());
    }
    // A mutation's fields are the mutation root's; without one the validator refuses it.
    let root = match operation.ty {
        OperationType::Query => &types.query,
        OperationType::Mutation => match &types.mutation {
            Some(mutation) => mutation,
            None => return Ok(()),
        },
        OperationType::Subscription => return Ok(()),
    };
    let mut usages = Usages {
        types,
        document,
        operation,
        seen: HashSet::new(),
    };
    usages
        .set(&operation.selection_set.node, root)
        .map_err(|error| with_code(error, "GRAPHQL_VALIDATION_FAILED"))
}

/// The walk of [`check_usages`] over the operation and the fragments it reaches.
struct Usages<'a> {
    types: &'a InputTypes,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    /// Fragments walked: each once, whatever type it is reached from.
    seen: HashSet<&'a Name>,
}

impl<'a> Usages<'a> {
    fn set(&mut self, set: &'a SelectionSet, parent: &'a Name) -> Result<(), ServerError> {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let types = self.types;
                    let Some(signature) = types
                        .fields
                        .get(parent)
                        .and_then(|fields| fields.get(&field.name.node))
                    else {
                        continue;
                    };
                    for (name, value) in &field.arguments {
                        let argument = signature.arguments.iter().find(|a| a.name == name.node);
                        if let Some(argument) = argument {
                            self.value(&value.node, value.pos, &argument.ty, argument.has_default)?;
                        }
                    }
                    self.set(&field.selection_set.node, &signature.leads_to)?;
                }
                Selection::InlineFragment(fragment) => {
                    let on = fragment.node.type_condition.as_ref();
                    let parent = on.map_or(parent, |c| &c.node.on.node);
                    self.set(&fragment.node.selection_set.node, parent)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if let Some(fragment) = self.document.fragments.get(name)
                        && self.seen.insert(name)
                    {
                        let on = &fragment.node.type_condition.node.on.node;
                        self.set(&fragment.node.selection_set.node, on)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks the variables in `value`, written at `pos` where a `location` goes, with a default
    /// there or not.
    fn value(
        &self,
        value: &Value,
        pos: Pos,
        location: &Type,
        location_default: bool,
    ) -> Result<(), ServerError> {
        match value {
            Value::Variable(variable) => {
                let definition = self
                    .operation
                    .variable_definitions
                    .iter()
                    .find(|d| d.node.name.node == *variable);
                let Some(definition) = definition else {
                    return Ok(());
                };
                let declared = &definition.node.var_type.node;
                let non_null_default = definition
                    .node
                    .default_value
                    .as_ref()
                    .is_some_and(|d| d.node != ConstValue::Null);
                if allowed(declared, non_null_default, location, location_default) {
                    return Ok(());
                }
                let mut error = ServerError::new(
                    format!(
                        "Variable \"${variable}\" of type \"{declared}\" used in position expecting type \"{location}\""
                    ),
                    Some(definition.pos),
                );
                error.locations.push(pos);
                Err(error)
            }
            Value::List(items) => match &location.base {
                BaseType::List(item) => {
                    for value in items {
                        self.value(value, pos, item, false)?;
                    }
                    Ok(())
                }
                // A list where one value goes: the validator refuses it.
                BaseType::Named(_) => Ok(()),
            },
            Value::Object(fields) => {
                let definitions = match &location.base {
                    BaseType::Named(ty) => self.types.objects.get(ty),
                    BaseType::List(_) => None,
                };
                for (name, value) in fields {
                    let field = definitions.and_then(|d| d.iter().find(|f| &f.name == name));
                    if let Some(field) = field {
                        self.value(value, pos, &field.ty, field.has_default)?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// *IsVariableUsageAllowed* (spec 5.8.5).
fn allowed(
    declared: &Type,
    non_null_default: bool,
    location: &Type,
    location_default: bool,
) -> bool {
    if !location.nullable && declared.nullable {
        if !non_null_default && !location_default {
            return false;
        }
        let nullable = Type {
            base: location.base.clone(),
            nullable: true,
        };
        return compatible(declared, &nullable);
    }
    compatible(declared, location)
}

/// *AreTypesCompatible* (spec 5.8.5).
fn compatible(declared: &Type, location: &Type) -> bool {
    if !location.nullable && declared.nullable {
        return false;
    }
    match (&declared.base, &location.base) {
        (BaseType::List(declared), BaseType::List(location)) => compatible(declared, location),
        (BaseType::Named(declared), BaseType::Named(location)) => declared == location,
        _ => false,
    }
}

/// The variables an operation executes with.
#[derive(Debug)]
pub struct Coerced {
    /// Every variable with a value: given and coerced, or its default. Variables the operation
    /// does not declare are dropped (the spec ignores them). The defaults must be here, not
    /// left to async-graphql's reading of a variable at a field: it applies `@skip`/`@include`
    /// with the request's variables alone, so `query($all: Boolean! = true) { x @include(if:
    /// $all) }` skipped `x`.
    pub variables: Variables,
    /// The variables declared nullable, without a default, and not given: where one is written,
    /// the argument or input field has no value ([`without_absent`]).
    pub absent: HashSet<Name>,
}

/// *CoerceVariableValues*: `given` coerced to the types `operation` declares, or one request
/// error for each variable that cannot be.
pub fn coerce(
    types: &InputTypes,
    operation: &OperationDefinition,
    given: &Variables,
) -> Result<Coerced, Vec<ServerError>> {
    let mut coerced = Coerced {
        variables: Variables::default(),
        absent: HashSet::new(),
    };
    let mut errors = Vec::new();
    for definition in &operation.variable_definitions {
        let name = &definition.node.name.node;
        let ty = &definition.node.var_type.node;
        let refuse = |message: String| {
            let mut error = ServerError::new(message, Some(definition.pos));
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("variable", name.as_str());
            with_code(error, VARIABLES_INVALID)
        };
        match (given.get(name), &definition.node.default_value) {
            (None, Some(default)) => {
                coerced.variables.insert(name.clone(), default.node.clone());
            }
            (None, None) if ty.nullable => {
                coerced.absent.insert(name.clone());
            }
            (None, None) => errors.push(refuse(format!(
                "Variable \"${name}\" of required type \"{ty}\" was not provided."
            ))),
            (Some(ConstValue::Null), _) if !ty.nullable => errors.push(refuse(format!(
                "Variable \"${name}\" of non-null type \"{ty}\" must not be null."
            ))),
            (Some(value), _) => {
                let mut at = Path(vec![Step::Name(name.clone())]);
                match types.value(ty, value.clone(), &mut at) {
                    Ok(value) => {
                        coerced.variables.insert(name.clone(), value);
                    }
                    Err(problem) => errors.push(refuse(problem.message(name))),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(coerced)
    } else {
        Err(errors)
    }
}

/// Where in a variable's value a problem is: `filter.countries[1]`.
struct Path(Vec<Step>);

enum Step {
    Name(Name),
    Index(usize),
}

/// What is wrong with a variable's value, and where.
struct Problem {
    /// The path, when the problem is inside the value rather than the whole of it.
    at: Option<String>,
    reason: String,
}

impl Problem {
    fn message(&self, variable: &Name) -> String {
        match &self.at {
            None => format!(
                "Variable \"${variable}\" got an invalid value: {}.",
                self.reason
            ),
            Some(at) => format!(
                "Variable \"${variable}\" got an invalid value at \"{at}\": {}.",
                self.reason
            ),
        }
    }
}

impl Path {
    fn problem(&self, reason: String) -> Problem {
        let at = (self.0.len() > 1).then(|| {
            let mut text = String::new();
            for step in &self.0 {
                // Writing to a `String` does not fail.
                let _ = match step {
                    Step::Name(name) if text.is_empty() => write!(text, "{name}"),
                    Step::Name(name) => write!(text, ".{name}"),
                    Step::Index(index) => write!(text, "[{index}]"),
                };
            }
            text
        });
        Problem { at, reason }
    }

    fn within<T>(&mut self, step: Step, f: impl FnOnce(&mut Path) -> T) -> T {
        self.0.push(step);
        let out = f(self);
        self.0.pop();
        out
    }
}

/// A value as a message shows it: GraphQL syntax, an excerpt (the value is the client's, and may
/// be large).
fn shown(value: &ConstValue) -> String {
    excerpt(&value.to_string()).into_owned()
}

impl InputTypes {
    /// Input coercion of `value` to `ty` (spec 3.5, 3.9–3.12).
    fn value(&self, ty: &Type, value: ConstValue, at: &mut Path) -> Result<ConstValue, Problem> {
        match (value, &ty.base) {
            (ConstValue::Null, _) if !ty.nullable => {
                Err(at.problem(format!("null where the type \"{ty}\" is non-null")))
            }
            (ConstValue::Null, _) => Ok(ConstValue::Null),
            (ConstValue::List(items), BaseType::List(item)) => {
                let mut coerced = Vec::with_capacity(items.len());
                for (index, value) in items.into_iter().enumerate() {
                    coerced.push(at.within(Step::Index(index), |at| self.value(item, value, at))?);
                }
                Ok(ConstValue::List(coerced))
            }
            // A lone value where a list is expected is a list of one.
            (value, BaseType::List(item)) => {
                Ok(ConstValue::List(vec![self.value(item, value, at)?]))
            }
            (value, BaseType::Named(name)) => self.named(name, value, at),
        }
    }

    fn named(&self, ty: &Name, value: ConstValue, at: &mut Path) -> Result<ConstValue, Problem> {
        let refuse =
            |expected: &str| Err(at.problem(format!("{} is not {expected}", shown(&value))));
        match ty.as_str() {
            "Int" => match &value {
                ConstValue::Number(n) => match whole(n).and_then(|n| i32::try_from(n).ok()) {
                    Some(n) => Ok(ConstValue::Number(n.into())),
                    None => refuse("an Int, a whole number from -2147483648 to 2147483647"),
                },
                _ => refuse("an Int, a whole number from -2147483648 to 2147483647"),
            },
            "Float" => match value {
                ConstValue::Number(_) => Ok(value),
                _ => refuse("a Float"),
            },
            "String" => match value {
                ConstValue::String(_) => Ok(value),
                _ => refuse("a String"),
            },
            "Boolean" => match value {
                ConstValue::Boolean(_) => Ok(value),
                _ => refuse("a Boolean"),
            },
            "ID" => match &value {
                ConstValue::String(_) => Ok(value),
                ConstValue::Number(n) if whole(n).is_some() || n.is_u64() => {
                    Ok(ConstValue::String(n.to_string()))
                }
                _ => refuse("an ID, a string or a whole number"),
            },
            _ => {
                if let Some(values) = self.enums.get(ty) {
                    Self::enumeration(ty, values, value, at)
                } else if let Some(fields) = self.objects.get(ty) {
                    self.object(ty, fields, value, at)
                } else if self.scalars.contains(ty) {
                    Ok(value)
                } else {
                    // Validation refuses such a variable first (`VariablesAreInputTypes`).
                    Err(at.problem(format!("{ty} is not an input type of the schema")))
                }
            }
        }
    }

    fn enumeration(
        ty: &Name,
        values: &[Name],
        value: ConstValue,
        at: &mut Path,
    ) -> Result<ConstValue, Problem> {
        let given = match &value {
            ConstValue::String(name) => Some(name.as_str()),
            ConstValue::Enum(name) => Some(name.as_str()),
            _ => None,
        };
        if given.is_some_and(|given| values.iter().any(|v| v.as_str() == given)) {
            return Ok(value);
        }
        let names: Vec<&str> = values.iter().map(Name::as_str).collect();
        Err(at.problem(format!(
            "{} is not a value of the enum {ty} ({})",
            shown(&value),
            names.join(", ")
        )))
    }

    fn object(
        &self,
        ty: &Name,
        fields: &[InputField],
        value: ConstValue,
        at: &mut Path,
    ) -> Result<ConstValue, Problem> {
        let ConstValue::Object(mut given) = value else {
            return Err(at.problem(format!(
                "{} is not an input object of type {ty}",
                shown(&value)
            )));
        };
        if let Some(unknown) = given
            .keys()
            .find(|name| !fields.iter().any(|f| &f.name == *name))
        {
            return Err(at.problem(format!("the type {ty} has no field \"{unknown}\"")));
        }
        let mut coerced = async_graphql::indexmap::IndexMap::with_capacity(given.len());
        for field in fields {
            match given.swap_remove(&field.name) {
                Some(value) => {
                    let step = Step::Name(field.name.clone());
                    let value = at.within(step, |at| self.value(&field.ty, value, at))?;
                    coerced.insert(field.name.clone(), value);
                }
                // Left out, async-graphql's parsing gives the field its default, or none.
                None if field.ty.nullable || field.has_default => {}
                None => {
                    return Err(at.problem(format!(
                        "the field \"{}\" of required type \"{}\" was not provided",
                        field.name, field.ty
                    )));
                }
            }
        }
        Ok(ConstValue::Object(coerced))
    }
}

/// A JSON number as a whole number: `3`, and `3.0` (JSON does not tell them apart; a JavaScript
/// client cannot).
fn whole(n: &Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        let f = n.as_f64()?;
        (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
    })
}

/// What [`validation_errors`] names as the operation to run: no operation of a document is
/// called this, as names are `[_A-Za-z][_0-9A-Za-z]*`, so async-graphql validates the document
/// and then refuses to run it, saying so in an error that names this.
const VALIDATE_ONLY: &str = "#validate-only";

/// async-graphql's validation errors for `document` as written, with no variables (the spec's
/// validation does not read them; async-graphql's would also check the values given against
/// each argument, which [`coerce`] does against the declared types instead). Nothing executes.
pub async fn validation_errors(
    schema: &LibgraphSchema,
    document: &ExecutableDocument,
) -> Vec<ServerError> {
    let mut request = Request::new(String::new()).operation_name(VALIDATE_ONLY);
    request.set_parsed_query(document.clone());
    let response = schema.execute(request).await;
    response
        .errors
        .into_iter()
        .filter(|error| !error.message.contains(VALIDATE_ONLY))
        .map(|error| with_code(error, "GRAPHQL_VALIDATION_FAILED"))
        .collect()
}

/// The document that executes when some variables have no value (`absent`): the operation
/// `operation_name` selects and the fragments it reaches, without every argument and input field
/// written with such a variable (a list item written with one is `null`, spec 3.11), and without
/// their definitions, which nothing uses any more. Other operations are left out with the
/// fragments only they reach: one of them may use a fragment's variable that is gone here.
/// `document` must have passed [`validation_errors`]: a variable without a value is then never
/// where it would leave a required argument or field without one, and not in `@skip`/`@include`
/// (whose variables must be non-null or have a default, [`super::rules`]).
pub fn without_absent(
    document: ExecutableDocument,
    operation_name: Option<&str>,
    absent: &HashSet<Name>,
) -> ExecutableDocument {
    let ExecutableDocument {
        operations,
        mut fragments,
    } = document;
    let mut reached = Vec::new();
    let operations = match operations {
        DocumentOperations::Single(mut operation) => {
            strip_operation(&mut operation.node, absent, &mut reached);
            DocumentOperations::Single(operation)
        }
        DocumentOperations::Multiple(mut operations) => {
            let name = match operation_name {
                Some(name) => Some(Name::new(name)),
                None if operations.len() == 1 => operations.keys().next().cloned(),
                None => None,
            };
            let kept = name.and_then(|name| operations.remove_entry(&name));
            let mut kept: HashMap<_, _> = kept.into_iter().collect();
            for operation in kept.values_mut() {
                strip_operation(&mut operation.node, absent, &mut reached);
            }
            DocumentOperations::Multiple(kept)
        }
    };
    let mut kept = HashMap::new();
    while let Some(name) = reached.pop() {
        if let Some(mut fragment) = fragments.remove(&name) {
            strip_set(&mut fragment.node.selection_set.node, absent, &mut reached);
            kept.insert(name, fragment);
        }
    }
    ExecutableDocument {
        operations,
        fragments: kept,
    }
}

fn strip_operation(
    operation: &mut OperationDefinition,
    absent: &HashSet<Name>,
    reached: &mut Vec<Name>,
) {
    operation
        .variable_definitions
        .retain(|d| !absent.contains(&d.node.name.node));
    strip_set(&mut operation.selection_set.node, absent, reached);
}

/// Leaves out of a selection set's arguments what `absent` leaves without a value, and collects
/// the fragments it spreads.
fn strip_set(set: &mut SelectionSet, absent: &HashSet<Name>, reached: &mut Vec<Name>) {
    for selection in &mut set.items {
        let directives = match &mut selection.node {
            Selection::Field(field) => {
                strip_arguments(&mut field.node.arguments, absent);
                strip_set(&mut field.node.selection_set.node, absent, reached);
                &mut field.node.directives
            }
            Selection::InlineFragment(fragment) => {
                strip_set(&mut fragment.node.selection_set.node, absent, reached);
                &mut fragment.node.directives
            }
            Selection::FragmentSpread(spread) => {
                reached.push(spread.node.fragment_name.node.clone());
                &mut spread.node.directives
            }
        };
        for directive in directives {
            strip_arguments(&mut directive.node.arguments, absent);
        }
    }
}

fn strip_arguments(
    arguments: &mut Vec<(Positioned<Name>, Positioned<Value>)>,
    absent: &HashSet<Name>,
) {
    arguments.retain_mut(|(_, value)| strip(&mut value.node, absent));
}

/// Leaves out of `value` what has no value; `false` when `value` itself has none.
fn strip(value: &mut Value, absent: &HashSet<Name>) -> bool {
    match value {
        Value::Variable(name) => !absent.contains(name),
        Value::List(items) => {
            for item in items {
                if !strip(item, absent) {
                    *item = Value::Null;
                }
            }
            true
        }
        Value::Object(fields) => {
            fields.retain(|_, field| strip(field, absent));
            true
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;
    use serde_json::json;

    const SDL: &str = r#"
        enum Role { LEAD PARTNER }
        input Range { from: Int to: Int }
        input Filter { roles: [Role!] countries: [String!] period: Range needed: Int! kept: Int! = 3 }
        type Query { a(n: Int, f: Filter, ids: [ID!]): Int b(n: Int): Int }
        type Mutation { write(role: Role!, n: Int): Int }
        schema { query: Query mutation: Mutation }
    "#;

    fn coerced(query: &str, variables: serde_json::Value) -> Result<Coerced, Vec<String>> {
        let types = InputTypes::from_sdl(SDL).expect("sdl");
        let document = parse_query(query).expect("query");
        let operation = crate::graphql::executor::shape::operation(&document, None).expect("op");
        coerce(&types, &operation.node, &Variables::from_json(variables))
            .map_err(|errors| errors.into_iter().map(|e| e.message).collect())
    }

    fn value(coerced: &Coerced, name: &str) -> serde_json::Value {
        coerced
            .variables
            .get(name)
            .map_or(json!("<none>"), |v| v.clone().into_json().expect("json"))
    }

    #[test]
    fn defaults_fill_in_and_a_nullable_variable_without_one_is_absent() {
        let query = "query($a: Int = 4, $b: Int, $c: Int = null, $d: String) { a(n: $a) }";
        let out = coerced(query, json!({ "d": "x", "undeclared": 1 })).expect("coerces");
        assert_eq!(value(&out, "a"), json!(4));
        assert_eq!(value(&out, "b"), json!("<none>"));
        assert_eq!(value(&out, "c"), json!(null));
        assert_eq!(value(&out, "d"), json!("x"));
        assert_eq!(value(&out, "undeclared"), json!("<none>"));
        assert_eq!(out.absent, HashSet::from([Name::new("b")]));
    }

    #[test]
    fn values_are_written_as_the_executors_read_them() {
        let query = "query($n: Int, $ids: [ID!], $f: Filter) { a(n: $n, ids: $ids, f: $f) }";
        let out = coerced(
            query,
            json!({ "n": 3.0, "ids": 7, "f": { "roles": "LEAD", "needed": 1 } }),
        )
        .expect("coerces");
        assert_eq!(value(&out, "n"), json!(3));
        assert_eq!(value(&out, "ids"), json!(["7"]));
        assert_eq!(value(&out, "f"), json!({ "roles": ["LEAD"], "needed": 1 }));
    }

    #[test]
    fn every_variable_that_cannot_be_coerced_is_refused_by_name() {
        for (query, variables, message) in [
            (
                "query($s: String!) { a }",
                json!({}),
                "Variable \"$s\" of required type \"String!\" was not provided.",
            ),
            (
                "query($n: Int!) { a(n: $n) }",
                json!({ "n": null }),
                "Variable \"$n\" of non-null type \"Int!\" must not be null.",
            ),
            (
                "query($n: Int) { a(n: $n) }",
                json!({ "n": "abc" }),
                "Variable \"$n\" got an invalid value: \"abc\" is not an Int, a whole number from -2147483648 to 2147483647.",
            ),
            (
                "query($n: Int) { a(n: $n) }",
                json!({ "n": 2147483648u64 }),
                "is not an Int",
            ),
            (
                "query($n: Int) { a(n: $n) }",
                json!({ "n": 1.5 }),
                "is not an Int",
            ),
            (
                "query($f: Filter) { a(f: $f) }",
                json!({ "f": { "needed": 1, "nope": 2 } }),
                "Variable \"$f\" got an invalid value: the type Filter has no field \"nope\".",
            ),
            (
                "query($f: Filter) { a(f: $f) }",
                json!({ "f": {} }),
                "the field \"needed\" of required type \"Int!\" was not provided",
            ),
            (
                "query($f: Filter) { a(f: $f) }",
                json!({ "f": { "needed": 1, "countries": ["PL", 5] } }),
                "Variable \"$f\" got an invalid value at \"f.countries[1]\": 5 is not a String.",
            ),
            (
                "query($f: Filter) { a(f: $f) }",
                json!({ "f": { "needed": 1, "roles": ["BOSS"] } }),
                "\"BOSS\" is not a value of the enum Role (LEAD, PARTNER)",
            ),
            (
                "query($f: Filter) { a(f: $f) }",
                json!({ "f": { "needed": 1, "countries": [null] } }),
                "at \"f.countries[0]\": null where the type \"String!\" is non-null.",
            ),
            (
                "query($f: Filter) { a(f: $f) }",
                json!({ "f": [1] }),
                "[1] is not an input object of type Filter",
            ),
            ("query($i: ID) { a }", json!({ "i": 1.5 }), "is not an ID"),
        ] {
            let errors = coerced(query, variables.clone()).expect_err(query);
            assert_eq!(errors.len(), 1, "{query} {variables}: {errors:?}");
            assert!(
                errors[0].contains(message),
                "{query} {variables}: {}",
                errors[0]
            );
        }
        let both = coerced("query($a: Int!, $b: Int!) { a }", json!({ "b": "x" }));
        assert_eq!(both.expect_err("two").len(), 2);
    }

    #[test]
    fn a_long_value_is_cut_short_in_the_message() {
        let long = "x".repeat(10_000);
        let errors =
            coerced("query($n: Int) { a(n: $n) }", json!({ "n": long })).expect_err("refused");
        assert!(errors[0].len() < 300, "{}", errors[0]);
    }

    fn usages(query: &str) -> Result<(), String> {
        let types = InputTypes::from_sdl(SDL).expect("sdl");
        let document = parse_query(query).expect("query");
        let operation = crate::graphql::executor::shape::operation(&document, None).expect("op");
        check_usages(&types, &document, &operation.node).map_err(|e| e.message)
    }

    #[test]
    fn a_variable_goes_only_where_its_type_fits() {
        for query in [
            "query($n: Int) { a(n: $n) }",
            "query($n: Int!) { a(n: $n) }",
            "query($r: Role!) { a(f: { roles: [$r], needed: 1 }) }",
            "query($r: [Role!]) { a(f: { roles: $r, needed: 1 }) }",
            // A nullable one where a value is required: with a default of its own, or the
            // place's.
            "query($n: Int = 1) { a(f: { needed: $n }) }",
            "query($n: Int) { a(f: { needed: 1, kept: $n }) }",
            "query($n: Int) { ...F } fragment F on Query { a(n: $n) }",
            "query($n: Int) { a(n: $n, nope: $n) b(n: $n) }",
            "mutation($r: Role!, $n: Int) { write(role: $r, n: $n) }",
        ] {
            assert_eq!(usages(query), Ok(()), "{query}");
        }
        for (query, message) in [
            (
                "query($n: String) { a(n: $n) }",
                "Variable \"$n\" of type \"String\" used in position expecting type \"Int\"",
            ),
            (
                "query($n: Int) { a(f: { needed: $n }) }",
                "of type \"Int\" used in position expecting type \"Int!\"",
            ),
            (
                "query($n: Int = null) { a(f: { needed: $n }) }",
                "expecting type \"Int!\"",
            ),
            (
                "query($c: String) { a(f: { needed: 1, countries: [\"PL\", $c] }) }",
                "of type \"String\" used in position expecting type \"String!\"",
            ),
            (
                "query($r: [Role]) { a(f: { roles: $r, needed: 1 }) }",
                "expecting type \"[Role!]\"",
            ),
            ("query($i: [ID]) { a(ids: $i) }", "expecting type \"[ID!]\""),
            (
                "query($n: String) { ...F } fragment F on Query { a(n: $n) }",
                "expecting type \"Int\"",
            ),
            // A mutation's fields are the mutation root's.
            (
                "mutation($r: Role) { write(role: $r) }",
                "expecting type \"Role!\"",
            ),
            (
                "mutation($n: String) { write(role: LEAD, n: $n) }",
                "expecting type \"Int\"",
            ),
        ] {
            let error = usages(query).expect_err(query);
            assert!(error.contains(message), "{query}: {error}");
        }
    }

    #[test]
    fn absent_variables_leave_their_arguments_and_fields_unwritten() {
        let document = parse_query(
            "query Q($n: Int, $c: String, $k: Int = 1) { a(n: $n, f: { countries: [\"PL\", $c], period: { from: $n, to: 3 }, needed: $k }) ...F }
             query Other($n: Int) { a(n: $n) ...G }
             fragment F on Query { b: a(n: $n) @include(if: true) }
             fragment G on Query { a }",
        )
        .expect("query");
        let absent = HashSet::from([Name::new("n"), Name::new("c")]);

        let rewritten = without_absent(document, Some("Q"), &absent);

        let DocumentOperations::Multiple(operations) = &rewritten.operations else {
            panic!("the operations stay named");
        };
        assert_eq!(
            operations.keys().map(Name::as_str).collect::<Vec<_>>(),
            ["Q"]
        );
        let text = format!("{:?}", rewritten);
        assert!(!text.contains("Variable(Name(\"n\"))"), "{text}");
        assert!(!text.contains("Variable(Name(\"c\"))"), "{text}");
        assert!(text.contains("Variable(Name(\"k\"))"), "{text}");
        assert_eq!(
            rewritten
                .fragments
                .keys()
                .map(Name::as_str)
                .collect::<Vec<_>>(),
            ["F"]
        );
        let operation = &operations["Q"].node;
        let definitions: Vec<&str> = operation
            .variable_definitions
            .iter()
            .map(|d| d.node.name.node.as_str())
            .collect();
        assert_eq!(definitions, ["k"]);
        let Selection::Field(field) = &operation.selection_set.node.items[0].node else {
            panic!("a field");
        };
        let arguments: Vec<&str> = field
            .node
            .arguments
            .iter()
            .map(|(name, _)| name.node.as_str())
            .collect();
        assert_eq!(arguments, ["f"]);
        assert_eq!(
            field.node.arguments[0].1.node.to_string(),
            "{countries: [\"PL\", null], period: {to: 3}, needed: $k}"
        );
    }
}
