"""Activation: write one Parquet and one CSV file per audience after the audiences mart is built.

The files land in ``<data dir>/exports/audiences/`` for e-mail, SMS and advertising tools to
pick up. They hold customer keys and keyed hashes only, sorted, so a rerun on the same data
writes identical bytes; a customer who withdrew a consent is gone from the next files.
"""

import dagster as dg

from orchestration.environment import data_dir
from parcours.audience_exports import AUDIENCES_FOLDER, export_audiences

AUDIENCES_MART_KEY = dg.AssetKey(["fct_activation_audiences"])
AUDIENCE_FILES_KEY = dg.AssetKey(["activation_audience_files"])


@dg.asset(
    key=AUDIENCE_FILES_KEY,
    deps=[AUDIENCES_MART_KEY],
    group_name="activation",
    kinds={"parquet", "csv"},
    owners=["team:marketing-operations"],
    description=(
        "One Parquet and one CSV file per audience of fct_activation_audiences (consented customers, "
        "hashed identifiers only) under <data dir>/exports/audiences/, written atomically."
    ),
)
def activation_audience_files(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Export every audience of the mart; remove the files of audiences that disappeared."""
    data = data_dir()
    folder = data.exports / AUDIENCES_FOLDER
    export = export_audiences(data.warehouse, folder)
    context.log.info("wrote %d audiences to %s", len(export.members), folder)
    return dg.MaterializeResult(
        metadata={
            "folder": str(folder),
            "audiences": len(export.members),
            "members": sum(export.members.values()),
            "removed_files": len(export.removed),
            **{f"members/{name}": count for name, count in export.members.items()},
        }
    )


defs = dg.Definitions(assets=[activation_audience_files])
