"""The quickstart in Python: the default Bitbucket DC integration with a webhook on two repositories,
a space and two stacks. Needs `pip install liftgate` (the wheel `npm run package:python` builds, plus its
dependencies cdktf, constructs and jsii from PyPI) and `cdktf.json` with `"app": "python3 main.py"`.
"""
import os

from cdktf import App, TerraformStack
from constructs import Construct

from liftgate import BitbucketDatacenterIntegration, BitbucketRepository, LiftgateStack, Space
from liftgate.bitbucketdc.provider import BitbucketdcProvider
from liftgate.liftgate.provider import LiftgateProvider


class Quickstart(TerraformStack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        # Settings from LIFTGATE_ENDPOINT, LIFTGATE_API_KEY, BITBUCKET_URL and BITBUCKET_TOKEN.
        LiftgateProvider(self, "liftgate")
        BitbucketdcProvider(self, "bitbucketdc")

        bitbucket = BitbucketDatacenterIntegration(
            self,
            "Bitbucket",
            name="Bitbucket",
            is_default=True,
            api_host=os.environ["BITBUCKET_URL"],
            username=os.environ.get("LIFTGATE_BITBUCKET_USERNAME", "admin"),
            access_token=os.environ["BITBUCKET_TOKEN"],
            repositories=[
                BitbucketRepository(project_key="PLAT", repository_slug="network"),
                BitbucketRepository(project_key="PLAT", repository_slug="dns"),
            ],
        )
        platform = Space(self, "Platform", name="Platform")
        LiftgateStack(self, "Network", name="network", space=platform, integration=bitbucket,
                      project_key="PLAT", repository_slug="network", autodeploy=True)
        LiftgateStack(self, "Dns", name="dns", space=platform, integration=bitbucket,
                      project_key="PLAT", repository_slug="dns", project_root="terraform")


app = App()
Quickstart(app, "quickstart")
app.synth()
