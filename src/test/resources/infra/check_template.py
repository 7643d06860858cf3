"""Transforms infra/template.yaml with aws-sam-translator and prints what the tests assert on, as JSON.

Usage: python3 check_template.py <template.yaml>

Prints {"codeUris": {function: CodeUri as written}, "variants": {"jvm": {...}, "native": {...}},
"withAlarmTopic": {...}, "withoutSnapStart": {...}} where each variant is the transformed template's Resources with intrinsic functions
resolved for a fictitious stack (see CONTEXT) and the parameter defaults (withAlarmTopic: the jvm variant with
AlarmTopicArn set to ALARM_TOPIC; withoutSnapStart: the jvm variant with SnapStart=disabled), so that the test reads plain strings such as
"arn:aws:s3:::sessionlake-123456789012-us-east-1/sessions/*". Exits 3 when samtranslator cannot be imported.
"""
import json
import os
import re
import sys

try:
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse
except ImportError as e:  # the Java test turns this into an aborted (skipped) test
    print("aws-sam-translator is not importable: %s" % e, file=sys.stderr)
    sys.exit(3)

CONTEXT = {
    "AWS::StackName": "sessionlake",
    "AWS::AccountId": "123456789012",
    "AWS::Region": "us-east-1",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
PREFIX = "arn:aws"
# What Ref AWS::NoValue resolves to: the key that holds it is dropped, as CloudFormation does.
NO_VALUE = object()
REGION_ACCOUNT = "us-east-1:123456789012"
ALARM_TOPIC = "arn:aws:sns:us-east-1:123456789012:sessionlake-operators"


class NoManagedPolicies:
    """The translator looks up managed policy names only for SAM policy shortcuts, which the template avoids."""

    def load(self):
        return {}


class Resolver:
    def __init__(self, template, parameters):
        self.resources = template.get("Resources", {})
        self.values = dict(CONTEXT)
        for name, p in template.get("Parameters", {}).items():
            self.values[name] = str(parameters.get(name, p.get("Default", "")))
        self.conditions = {}
        for name, c in template.get("Conditions", {}).items():
            self.conditions[name] = self.resolve(c)

    def resolve(self, node):
        if isinstance(node, list):
            return [v for v in (self.resolve(n) for n in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (fn, arg), = node.items()
            if fn == "Ref":
                return NO_VALUE if arg == "AWS::NoValue" else self.ref(arg)
            if fn == "Fn::GetAtt":
                logical, attr = arg.split(".", 1) if isinstance(arg, str) else arg
                return self.getatt(logical, attr)
            if fn == "Fn::Sub":
                return self.sub(arg)
            if fn == "Fn::If":
                cond, yes, no = arg
                return self.resolve(yes if self.conditions[cond] else no)
            if fn == "Fn::Not":
                return not self.resolve(arg)[0]
            if fn == "Fn::Equals":
                a, b = self.resolve(arg)
                return a == b
            if fn == "Fn::And":
                return all(self.resolve(arg))
            if fn == "Condition":
                return self.conditions[arg]
            if fn == "Fn::Join":
                sep, parts = arg
                return sep.join(str(p) for p in self.resolve(parts))
        resolved = {k: self.resolve(v) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def name_of(self, logical):
        props = self.resources[logical].get("Properties", {})
        for key in ("BucketName", "FunctionName", "QueueName", "LogGroupName", "Name"):
            if key in props:
                return self.resolve(props[key])
        if "DatabaseInput" in props:
            return self.resolve(props["DatabaseInput"]["Name"])
        return "physical-id-of-" + logical

    def ref(self, name):
        if name in self.values:
            return self.values[name]
        kind = self.resources.get(name, {}).get("Type")
        if kind == "AWS::Lambda::Alias":  # Ref gives the qualified ARN
            props = self.resources[name]["Properties"]
            return "%s:lambda:%s:function:%s:%s" % (PREFIX, REGION_ACCOUNT, self.resolve(props["FunctionName"]),
                                                   props["Name"])
        if self.resources.get(name, {}).get("Type") == "AWS::SQS::Queue":
            return "https://sqs.us-east-1.amazonaws.com/123456789012/" + self.name_of(name)
        return self.name_of(name)

    def getatt(self, logical, attr):
        kind = self.resources[logical]["Type"]
        name = self.name_of(logical)
        if attr == "Arn":
            arns = {
                "AWS::S3::Bucket": "%s:s3:::%s" % (PREFIX, name),
                "AWS::Lambda::Function": "%s:lambda:%s:function:%s" % (PREFIX, REGION_ACCOUNT, name),
                "AWS::SQS::Queue": "%s:sqs:%s:%s" % (PREFIX, REGION_ACCOUNT, name),
                "AWS::Logs::LogGroup": "%s:logs:%s:log-group:%s:*" % (PREFIX, REGION_ACCOUNT, name),
                "AWS::IAM::Role": "%s:iam::123456789012:role/%s" % (PREFIX, logical),
            }
            if kind in arns:
                return arns[kind]
        if attr == "QueueName" and kind == "AWS::SQS::Queue":
            return name
        return "getatt:%s.%s" % (logical, attr)

    def sub(self, arg):
        text, local = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def one(m):
            var = m.group(1)
            if var.startswith("!"):
                return "${" + var[1:] + "}"
            if var in local:
                return str(local[var])
            if "." in var:
                logical, attr = var.split(".", 1)
                return self.getatt(logical, attr)
            return str(self.ref(var))

        return re.sub(r"\$\{([^}]+)\}", one, text)


def main(path):
    os.environ.setdefault("AWS_DEFAULT_REGION", CONTEXT["AWS::Region"])
    with open(path, encoding="utf-8") as f:
        source = f.read()
    code_uris = {}
    for name, r in yaml_parse(source)["Resources"].items():
        if r["Type"] == "AWS::Serverless::Function":
            code_uris[name] = r["Properties"].get("CodeUri")
    variants = {variant: resolved(source, {"Variant": variant}) for variant in ("jvm", "native")}
    with_topic = resolved(source, {"Variant": "jvm", "AlarmTopicArn": ALARM_TOPIC})
    without_snap_start = resolved(source, {"Variant": "jvm", "SnapStart": "disabled"})
    json.dump({"codeUris": code_uris, "variants": variants, "withAlarmTopic": with_topic,
               "withoutSnapStart": without_snap_start}, sys.stdout, indent=1, sort_keys=True)


def resolved(source, parameters):
    template = yaml_parse(source)
    # The translator wants an S3 location; `sam deploy` uploads the local zip and puts one there.
    for r in template["Resources"].values():
        if r["Type"] == "AWS::Serverless::Function" and "CodeUri" in r["Properties"]:
            r["Properties"]["CodeUri"] = "s3://deployment-bucket/function.zip"
    transformed = transform(template, parameters, NoManagedPolicies())
    return Resolver(transformed, parameters).resolve(transformed["Resources"])


if __name__ == "__main__":
    main(sys.argv[1])
