"""``synth profiles``: list, show, check and describe profiles."""

from __future__ import annotations

import json

import click
import yaml

from synth.profile.find import list_profiles
from synth.profile.loader import load_profile
from synth.profile.models import Profile


@click.group()
def profiles() -> None:
    """Work with profiles (found in $SYNTH_PROFILES, ./profiles, then the shipped synth/profiles)."""


@profiles.command("list")
def list_cmd() -> None:
    """List the profiles found."""
    for path in list_profiles():
        try:
            p = load_profile(path).profile
            click.echo(f"{p.name:<16} {p.size.families:>8,} families  {p.period.start}..{p.period.end}  {path}")
        except Exception as e:  # noqa: BLE001 - a broken profile is listed, not fatal
            first = str(e).splitlines()[0] if str(e) else type(e).__name__
            click.echo(f"{path.stem:<16} BROKEN: {first}")


@profiles.command("show")
@click.argument("name")
def show_cmd(name: str) -> None:
    """Print the merged profile NAME (extends applied) as YAML."""
    loaded = load_profile(name)
    click.echo(f"# {loaded.path} (sha256 {loaded.sha256[:16]})")
    if len(loaded.chain) > 1:
        click.echo("# extends: " + " <- ".join(str(p) for p in reversed(loaded.chain)))
    data = loaded.profile.model_dump(mode="json", exclude_none=True)
    click.echo(yaml.safe_dump(data, sort_keys=False, width=110, allow_unicode=True))


@profiles.command("check")
@click.argument("file")
def check_cmd(file: str) -> None:
    """Check FILE (or a profile name); exit 2 with every problem listed."""
    loaded = load_profile(file)
    p = loaded.profile
    click.echo(f"ok: {p.name} ({len(p.world.distributions)} distributions, "
               f"{sum(len(a.tables) for a in p.agencies.values())} tables in {len(p.agencies)} agencies)")


@profiles.command("schema")
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None, help="Write to a file.")
def schema_cmd(out: str | None) -> None:
    """Print the JSON Schema of profile files (for editor completion)."""
    schema = Profile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["properties"]["extends"] = {"type": "string", "description": "Profile to extend (name or path)."}
    text = json.dumps(schema, indent=2)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        click.echo(f"wrote {out}")
    else:
        click.echo(text)
