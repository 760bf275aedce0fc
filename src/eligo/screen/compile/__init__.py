"""Criterion expressions → SQL (sqlglot's syntax tree, rendered per dialect).

compiled = compile_trial(trial, criteria)
compiled.sql("duckdb"), compiled.params(as_of, "duckdb"), compiled.gaps
"""

from eligo.screen.compile.compiler import Gap, NotInSql, SqlCompiler
from eligo.screen.compile.frame import Frame
from eligo.screen.compile.trial import Column, CompiledTrial, compile_trial

__all__ = ["Column", "CompiledTrial", "Frame", "Gap", "NotInSql", "SqlCompiler", "compile_trial"]
