package org.dcpserve.core.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a syntax tree. The semantics are {@code @huggingface/jinja}'s, quirks included where they change output
 * (see {@link Values}); every failure is a {@link TemplateException} placed at the construct that failed.
 */
final class Interpreter {

    /** {@code {% break %}} and {@code {% continue %}} unwinding to their loop. */
    private static final class LoopControl extends RuntimeException {
        private final boolean isBreak;

        LoopControl(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private final String template;

    Interpreter(String template) {
        this.template = template;
    }

    void render(List<Node> body, Scope scope, StringBuilder out) {
        for (Node node : body) {
            try {
                execute(node, scope, out);
            } catch (TemplateException e) {
                throw e.locate(template, node.at());
            }
        }
    }

    private void execute(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case Node.Text text -> out.append(text.value());
            case Node.Output output -> {
                Object value = evaluate(output.expression(), scope);
                if (value != null && value != Undefined.VALUE) {
                    out.append(Values.print(value));
                }
            }
            case Node.If branch -> render(Values.truthy(evaluate(branch.test(), scope)) ? branch.body() : branch.otherwise(),
                    scope, out);
            case Node.For loop -> renderFor(loop, scope, out);
            case Node.Set set -> assign(set, scope);
            case Node.Macro macro -> scope.set(macro.name(), macro(macro, scope));
            case Node.Break b -> throw new LoopControl(true);
            case Node.Continue c -> throw new LoopControl(false);
            default -> throw new TemplateException("Unexpected expression where a statement belongs");
        }
    }

    private void renderFor(Node.For loop, Scope parent, StringBuilder out) {
        Scope scope = new Scope(parent);
        Object iterable = evaluate(loop.iterable(), scope);
        List<?> candidates = switch (iterable) {
            case List<?> list -> list;
            case Map<?, ?> map -> new ArrayList<Object>(map.keySet());
            case null, default -> throw new TemplateException(
                    "Expected iterable or object type in for loop: got " + Values.typeName(iterable));
        };
        List<Object> items = new ArrayList<>();
        for (Object candidate : candidates) {
            if (loop.target() instanceof Node.TupleLiteral tuple) {
                // The reference unpacks lists only, not tuples.
                if (!(candidate instanceof List<?> values) || candidate instanceof Tuple) {
                    throw new TemplateException("Cannot unpack non-iterable type: " + Values.typeName(candidate));
                }
                if (values.size() != tuple.items().size()) {
                    throw new TemplateException("Too " + (tuple.items().size() > values.size() ? "few" : "many")
                            + " items to unpack");
                }
            }
            if (loop.filter() != null) {
                Scope test = new Scope(scope);
                bind(loop.target(), candidate, test);
                if (!Values.truthy(evaluate(loop.filter(), test))) {
                    continue;
                }
            }
            items.add(candidate);
        }
        boolean iterated = false;
        for (int i = 0; i < items.size(); i++) {
            scope.set("loop", loopInfo(i, items));
            bind(loop.target(), items.get(i), scope);
            // Like the reference, an iteration that breaks or continues drops what it had rendered so far.
            StringBuilder iteration = new StringBuilder();
            try {
                render(loop.body(), scope, iteration);
            } catch (LoopControl control) {
                if (control.isBreak) {
                    break;
                }
                continue;
            }
            out.append(iteration);
            iterated = true;
        }
        if (!iterated) {
            render(loop.otherwise(), scope, out);
        }
    }

    private static Map<String, Object> loopInfo(int i, List<Object> items) {
        int length = items.size();
        Map<String, Object> loop = new LinkedHashMap<>();
        loop.put("index", (long) i + 1);
        loop.put("index0", (long) i);
        loop.put("revindex", (long) (length - i));
        loop.put("revindex0", (long) (length - i - 1));
        loop.put("first", i == 0);
        loop.put("last", i == length - 1);
        loop.put("length", (long) length);
        loop.put("previtem", i > 0 ? items.get(i - 1) : Undefined.VALUE);
        loop.put("nextitem", i < length - 1 ? items.get(i + 1) : Undefined.VALUE);
        return loop;
    }

    private void bind(Node target, Object value, Scope scope) {
        if (target instanceof Node.Name name) {
            scope.set(name.name(), value);
            return;
        }
        List<Node> targets = ((Node.TupleLiteral) target).items();
        List<?> values = (List<?>) value;
        for (int i = 0; i < targets.size(); i++) {
            if (!(targets.get(i) instanceof Node.Name name)) {
                throw new TemplateException("Cannot unpack to a non-name");
            }
            scope.set(name.name(), values.get(i));
        }
    }

    private void assign(Node.Set set, Scope scope) {
        Object value;
        if (set.value() != null) {
            value = evaluate(set.value(), scope);
        } else {
            StringBuilder body = new StringBuilder();
            render(set.body(), scope, body);
            value = body.toString();
        }
        switch (set.target()) {
            case Node.Name name -> scope.set(name.name(), value);
            case Node.TupleLiteral tuple -> {
                if (!(value instanceof List<?> values)) {
                    throw new TemplateException("Cannot unpack non-iterable type in set: " + Values.typeName(value));
                }
                if (values.size() != tuple.items().size()) {
                    throw new TemplateException("Too " + (tuple.items().size() > values.size() ? "few" : "many")
                            + " items to unpack in set");
                }
                bind(tuple, values, scope);
            }
            case Node.Member member -> {
                Object object = evaluate(member.object(), scope);
                if (!(object instanceof Namespace namespace)) {
                    throw new TemplateException("cannot assign attribute on non-namespace object");
                }
                if (member.computed() || !(member.property() instanceof Node.Literal(int at, String attribute))) {
                    throw new TemplateException("Cannot assign to member with non-identifier property");
                }
                namespace.attributes().put(attribute, value);
            }
            default -> throw new TemplateException("Invalid target of set");
        }
    }

    /** A macro: its body renders in a scope under the one it was defined in, with its parameters bound. */
    private JinjaFunction macro(Node.Macro macro, Scope definedIn) {
        return (arguments, keywords) -> {
            Scope scope = new Scope(definedIn);
            Map<String, Object> unused = new LinkedHashMap<>(keywords);
            List<Node.Keyword> defaults = new ArrayList<>();
            List<Node> parameters = macro.parameters();
            for (int i = 0; i < parameters.size(); i++) {
                String name = parameters.get(i) instanceof Node.Keyword k ? k.name() : ((Node.Name) parameters.get(i)).name();
                Object value = Undefined.VALUE;
                if (i < arguments.size()) {
                    value = arguments.get(i);
                } else if (unused.containsKey(name)) {
                    value = unused.remove(name);
                } else if (parameters.get(i) instanceof Node.Keyword k) {
                    defaults.add(k);
                }
                scope.set(name, value);
            }
            if (!unused.isEmpty()) {
                throw new TemplateException("macro '" + macro.name() + "' takes no keyword argument '"
                        + unused.keySet().iterator().next() + "'");
            }
            if (arguments.size() > parameters.size()) {
                throw new TemplateException("macro '" + macro.name() + "' takes not more than " + parameters.size()
                        + " argument(s)");
            }
            for (Node.Keyword k : defaults) {
                scope.set(k.name(), evaluate(k.value(), scope));
            }
            StringBuilder out = new StringBuilder();
            render(macro.body(), scope, out);
            return out.toString();
        };
    }

    Object evaluate(Node node, Scope scope) {
        try {
            return evaluateUnplaced(node, scope);
        } catch (TemplateException | LoopControl e) {
            throw e instanceof TemplateException t ? t.locate(template, node.at()) : e;
        } catch (RuntimeException e) {
            throw new TemplateException("Failed to evaluate " + node.getClass().getSimpleName() + ": " + e)
                    .locate(template, node.at());
        }
    }

    private Object evaluateUnplaced(Node node, Scope scope) {
        return switch (node) {
            case Node.Literal literal -> literal.value();
            case Node.Name name -> scope.lookup(name.name());
            case Node.Binary binary -> Operators.binary(binary.operator(), evaluate(binary.left(), scope),
                    () -> evaluate(binary.right(), scope));
            case Node.Unary unary -> Operators.unary(unary.operator(), evaluate(unary.operand(), scope));
            case Node.Member member -> member(member, scope);
            case Node.Call call -> call(call, scope);
            case Node.Filter filter -> filter(filter, scope);
            case Node.Test test -> {
                if (!Tests.known(test.name())) {
                    throw new TemplateException("Unknown test: " + test.name());
                }
                yield test.negated() != Tests.test(test.name(), evaluate(test.operand(), scope), Undefined.VALUE);
            }
            case Node.Ternary ternary -> Values.truthy(evaluate(ternary.condition(), scope))
                    ? evaluate(ternary.then(), scope) : evaluate(ternary.otherwise(), scope);
            case Node.Select select -> Values.truthy(evaluate(select.condition(), scope))
                    ? evaluate(select.value(), scope) : Undefined.VALUE;
            case Node.ListLiteral list -> evaluateAll(list.items(), scope);
            case Node.TupleLiteral tuple -> new Tuple(evaluateAll(tuple.items(), scope));
            case Node.DictLiteral dict -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < dict.keys().size(); i++) {
                    Object key = evaluate(dict.keys().get(i), scope);
                    if (!(key instanceof String k)) {
                        throw new TemplateException("Object keys must be strings: got " + Values.typeName(key));
                    }
                    map.put(k, evaluate(dict.values().get(i), scope));
                }
                yield map;
            }
            case Node.Keyword keyword -> throw new TemplateException("Keyword argument " + keyword.name() + "= outside a call");
            case Node.Slice slice -> throw new TemplateException("Slice outside a subscript");
            default -> throw new TemplateException("Unexpected statement where an expression belongs");
        };
    }

    private List<Object> evaluateAll(List<Node> nodes, Scope scope) {
        List<Object> values = new ArrayList<>(nodes.size());
        for (Node node : nodes) {
            values.add(evaluate(node, scope));
        }
        return values;
    }

    private Object member(Node.Member member, Scope scope) {
        Object object = evaluate(member.object(), scope);
        if (member.property() instanceof Node.Slice slice) {
            return Subscripts.slice(object, evaluateOptional(slice.start(), scope), evaluateOptional(slice.stop(), scope),
                    evaluateOptional(slice.step(), scope));
        }
        Object property = member.computed() ? evaluate(member.property(), scope) : ((Node.Literal) member.property()).value();
        return Subscripts.member(object, property);
    }

    private Object evaluateOptional(Node node, Scope scope) {
        return node == null ? Undefined.VALUE : evaluate(node, scope);
    }

    private Object call(Node.Call call, Scope scope) {
        List<Object> arguments = new ArrayList<>();
        Map<String, Object> keywords = new LinkedHashMap<>();
        evaluateArguments(call.arguments(), scope, arguments, keywords);
        Object callee = evaluate(call.callee(), scope);
        if (!(callee instanceof JinjaFunction function)) {
            throw new TemplateException("Cannot call something that is not a function: got " + Values.typeName(callee));
        }
        return function.call(arguments, keywords);
    }

    private Object filter(Node.Filter filter, Scope scope) {
        Object operand = evaluate(filter.operand(), scope);
        if (filter.arguments() == null) {
            return Filters.apply(filter.name(), operand);
        }
        boolean select = filter.name().equals("selectattr");
        if ((select || filter.name().equals("rejectattr")) && operand instanceof List<?> list) {
            List<Object> arguments = new ArrayList<>();
            for (Node argument : filter.arguments()) {
                if (!(argument instanceof Node.Literal(int at, String value))) {
                    throw new TemplateException("arguments of `" + filter.name() + "` must be strings");
                }
                arguments.add(value);
            }
            if (arguments.isEmpty()) {
                throw new TemplateException("`" + filter.name() + "` needs the name of an attribute");
            }
            return Filters.selectAttribute(select, list, arguments);
        }
        List<Object> arguments = new ArrayList<>();
        Map<String, Object> keywords = new LinkedHashMap<>();
        evaluateArguments(filter.arguments(), scope, arguments, keywords);
        return Filters.apply(filter.name(), operand, arguments, keywords);
    }

    private void evaluateArguments(List<Node> nodes, Scope scope, List<Object> arguments, Map<String, Object> keywords) {
        for (Node node : nodes) {
            if (!(node instanceof Node.Keyword)) {
                arguments.add(evaluate(node, scope));
            }
        }
        for (Node node : nodes) {
            if (node instanceof Node.Keyword keyword) {
                if (keywords.containsKey(keyword.name())) {
                    throw new TemplateException("Got multiple values for keyword argument '" + keyword.name() + "'");
                }
                keywords.put(keyword.name(), evaluate(keyword.value(), scope));
            }
        }
    }
}
