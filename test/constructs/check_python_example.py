"""Checks a Python app against the jsii-generated package without importing it (the jsii runtime and
cdktf for Python come from PyPI, which tests cannot reach): every `from liftgate... import X` names a class
the generated module defines, and every call of such a class passes only keywords its __init__ accepts.
With a module name (liftgate_cdktn), the app's `liftgate` imports are read as imports of that module: the
same app checked against the CDK Terrain build.
Usage: python3 check_python_example.py <generated src dir> <app.py> [module]; prints problems, exits 1 if any."""
import ast
import os
import sys


def generated_classes(source_dir, module):
    path = os.path.join(source_dir, *module.split("."), "__init__.py")
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            init = next((item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__"), None)
            names = set()
            if init is not None:
                names = {arg.arg for arg in init.args.args + init.args.kwonlyargs}
            classes[node.name] = names
    return classes


def main(source_dir, app_path, module="liftgate"):
    with open(app_path, encoding="utf-8") as handle:
        app = ast.parse(handle.read())
    problems = []
    imported = {}
    for node in ast.walk(app):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "liftgate":
            classes = generated_classes(source_dir, module + node.module[len("liftgate"):])
            for alias in node.names:
                if alias.name not in classes:
                    problems.append(f"line {node.lineno}: {node.module} has no class {alias.name}")
                else:
                    imported[alias.asname or alias.name] = classes[alias.name]
    for node in ast.walk(app):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in imported:
            accepted = imported[node.func.id]
            for keyword in node.keywords:
                if keyword.arg not in accepted:
                    problems.append(f"line {node.lineno}: {node.func.id}() takes no keyword {keyword.arg}")
    if not imported:
        problems.append("the app imports nothing from liftgate")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
