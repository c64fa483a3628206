from aiohttp import web

from app.views.pages import render

routes = web.RouteTableDef()


@routes.get("/", name="landing")
async def landing(request: web.Request) -> web.Response:
    return render(request, "landing.html")
