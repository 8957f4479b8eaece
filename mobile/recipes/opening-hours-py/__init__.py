"""opening-hours-py (Rust, PyO3 + maturin) for python-for-android.

The same pattern as p4a's own ``pydantic-core`` recipe: cargo cross-compiles
the extension for each Android ABI (``rustup target add`` is done by the base
class; the build machine needs rustup).
"""

from pythonforandroid.recipe import RustCompiledComponentsRecipe


class OpeningHoursPyRecipe(RustCompiledComponentsRecipe):
    name = "opening-hours-py"
    version = "2.1.4"
    url = "https://files.pythonhosted.org/packages/source/o/opening-hours-py/opening_hours_py-{version}.tar.gz"
    site_packages_name = "opening_hours"


recipe = OpeningHoursPyRecipe()
