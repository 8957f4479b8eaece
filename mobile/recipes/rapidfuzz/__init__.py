"""rapidfuzz without its C++ extension: its pure-Python implementation.

rapidfuzz ships a Python implementation of every scorer it compiles (the
``*_py`` modules) and picks it when the extension is absent. Building with
scikit-build-core's ``wheel.cmake = false`` (``SKBUILD_WHEEL_CMAKE=false``;
checked on the desktop: the wheel comes out ``py3-none-any`` with no ``.so``
even where CMake is installed) skips CMake and the C++ toolchain, at a cost in speed measured in ``benchmarks/README.md``
("rapidfuzz on the phone": duplicate hints over the Monaco pack).
"""

from pythonforandroid.recipe import PyProjectRecipe


class RapidfuzzPurePythonRecipe(PyProjectRecipe):
    name = "rapidfuzz"
    version = "3.14.6"
    url = "https://files.pythonhosted.org/packages/source/r/rapidfuzz/rapidfuzz-{version}.tar.gz"
    site_packages_name = "rapidfuzz"

    def get_recipe_env(self, arch, **kwargs):
        env = super().get_recipe_env(arch, **kwargs)
        env["SKBUILD_WHEEL_CMAKE"] = "false"
        return env


recipe = RapidfuzzPurePythonRecipe()
