"""pydantic-core at the version pydantic 2.14 pins (p4a's own recipe is 2.41.4)."""

from pythonforandroid.recipe import RustCompiledComponentsRecipe


class PydanticCoreRecipe(RustCompiledComponentsRecipe):
    name = "pydantic-core"
    version = "2.50.5"
    url = "https://github.com/pydantic/pydantic-core/archive/refs/tags/v{version}.tar.gz"
    site_packages_name = "pydantic_core"


recipe = PydanticCoreRecipe()
