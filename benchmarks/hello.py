"""The baseline every figure is divided by: Flask "hello world" under the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
